package codec

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// Key problems.
var (
	// ErrInvalidKey: the text is not the base64 form of a 32-byte key.
	ErrInvalidKey = errors.New("invalid payload key")
	// ErrNoKey: neither the environment nor the key file gave a key.
	ErrNoKey = errors.New("no payload key")
)

// Key is an AES-256 key with its ID. The ID is derived from the key itself
// (the first 8 bytes of a SHA-256 over a label and the key, in hex), so every
// process that holds the same key names it the same way without further
// configuration, and the ID reveals nothing usable about the key. The zero
// Key is no key.
type Key struct {
	id  string
	raw [KeySize]byte
}

// NewKey makes a Key from 32 bytes of key material.
func NewKey(material []byte) (Key, error) {
	if len(material) != KeySize {
		return Key{}, fmt.Errorf("%w: a key is %d bytes, got %d", ErrInvalidKey, KeySize, len(material))
	}
	var k Key
	copy(k.raw[:], material)
	sum := sha256.Sum256(append([]byte("stationflow payload key id\x00"), material...))
	k.id = hex.EncodeToString(sum[:8])
	return k, nil
}

// GenerateKey makes a new random key.
func GenerateKey() (Key, error) {
	var b [KeySize]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Key{}, fmt.Errorf("generating a payload key: %w", err)
	}
	return NewKey(b[:])
}

// ParseKey reads a key from its base64 form, standard or URL-safe alphabet,
// with or without padding; surrounding white space is ignored.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}, fmt.Errorf("%w: the key is empty", ErrInvalidKey)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return NewKey(b)
		}
	}
	return Key{}, fmt.Errorf("%w: not base64 (standard or URL alphabet)", ErrInvalidKey)
}

// ID names the key in the metadata of the payloads it encrypts.
func (k Key) ID() string { return k.id }

// IsZero reports whether k is the zero Key, which holds no key.
func (k Key) IsZero() bool { return k.id == "" }

// Base64 is the key in standard base64, the form ParseKey, the key file and
// STATIONFLOW_CODEC_KEY take. It is the secret itself.
func (k Key) Base64() string { return base64.StdEncoding.EncodeToString(k.raw[:]) }

// String names the key by its ID only, so a key that reaches a log or an
// error message does not leak.
func (k Key) String() string { return "payload key " + k.id }

// Derive is 32 bytes of key material for another use, named by label,
// drawn from the key by HMAC-SHA256: it reveals nothing of the key, and
// every process holding the key derives the same bytes.
func (k Key) Derive(label string) []byte {
	m := hmac.New(sha256.New, k.raw[:])
	m.Write([]byte("stationflow derived key\x00" + label))
	return m.Sum(nil)
}

// GoString keeps %#v from printing the key material.
func (k Key) GoString() string { return "codec.Key{id: " + k.id + "}" }

// LoadOrCreateKeyFile reads the key in path, or, when there is no such file,
// creates one holding a new random key, readable by its owner only (0600) in
// a directory created 0700 if missing. created reports whether the key is new.
func LoadOrCreateKeyFile(path string) (k Key, created bool, err error) {
	k, err = readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Key{}, false, fmt.Errorf("creating the directory of payload key file %s: %w", path, err)
	}
	k, err = GenerateKey()
	if err != nil {
		return Key{}, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it between our read and now: use theirs.
		k, err = readKeyFile(path)
		return k, false, err
	}
	if err != nil {
		return Key{}, false, fmt.Errorf("creating payload key file: %w", err)
	}
	if _, err := f.WriteString(k.Base64() + "\n"); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return Key{}, false, fmt.Errorf("writing payload key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return Key{}, false, fmt.Errorf("writing payload key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return Key{}, false, fmt.Errorf("writing payload key file %s: %w", path, err)
	}
	return k, true, nil
}

// LoadKey returns the key in envValue (the base64 key from the
// environment) when it is set, else the key in the file at filePath. It never
// creates a key. With neither, the error wraps ErrNoKey.
func LoadKey(envValue, filePath string) (Key, error) {
	if strings.TrimSpace(envValue) != "" {
		return ParseKey(envValue)
	}
	if filePath == "" {
		return Key{}, fmt.Errorf("%w: no key given and no key file named", ErrNoKey)
	}
	k, err := readKeyFile(filePath)
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, fmt.Errorf("%w: %w", ErrNoKey, err)
	}
	return k, err
}

func readKeyFile(path string) (Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("reading payload key file: %w", err)
	}
	k, err := ParseKey(string(bytes.TrimSpace(b)))
	if err != nil {
		return Key{}, fmt.Errorf("payload key file %s: %w", path, err)
	}
	return k, nil
}
