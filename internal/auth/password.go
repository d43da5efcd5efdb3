package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id at the parameters OWASP recommends
// for it (19 MiB, two passes, one lane), each with its own 16-byte salt,
// and stored in the PHC string format, so the parameters can be raised
// later without losing the hashes made before.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// Password length bounds, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// CheckPasswordStrength is the minimum strength rule: 10 to 128
// characters, at least three kinds of character among lower case, upper
// case, digits and others (any other letter, such as 汉字, or a symbol),
// and not the login name. It answers a message for the person, or "".
func CheckPasswordStrength(password, login string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return "密码须为有效文本 / must be valid text"
	case n < MinPasswordLen:
		return fmt.Sprintf("密码至少 %d 个字符 / must be at least %d characters", MinPasswordLen, MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Sprintf("密码至多 %d 个字符 / must be at most %d characters", MaxPasswordLen, MaxPasswordLen)
	case passwordKinds(password) < 3:
		return "密码须含小写字母、大写字母、数字、其他字符中的至少三类 / must mix at least three of: lower case, upper case, digits, other characters"
	case login != "" && strings.Contains(strings.ToLower(password), strings.ToLower(login)):
		return "密码不得包含登录名 / must not contain the login name"
	}
	return ""
}

func passwordKinds(p string) int {
	var lower, upper, digit, other int
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= '0' && r <= '9':
			digit = 1
		case unicode.IsControl(r):
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// HashPassword returns the PHC-encoded argon2id hash of password with a
// fresh random salt.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// ErrBadHash is a stored password hash this package cannot read.
var ErrBadHash = errors.New("the stored password hash is not an argon2id PHC string")

// VerifyPassword reports whether password matches the PHC-encoded hash,
// comparing in constant time with the parameters the hash was made with.
func VerifyPassword(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil || iter == 0 || threads == 0 {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
