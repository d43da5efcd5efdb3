package codec_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codec"
)

// thirtyTwo is 32 bytes of test key material.
var thirtyTwo = []byte("stationflow-test-key-32-bytes!!!")

func TestParseKeyAcceptsEveryBase64Form(t *testing.T) {
	want, err := codec.NewKey(thirtyTwo)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"standard":           base64.StdEncoding.EncodeToString(thirtyTwo),
		"URL-safe":           base64.URLEncoding.EncodeToString(thirtyTwo),
		"standard, unpadded": base64.RawStdEncoding.EncodeToString(thirtyTwo),
		"URL-safe, unpadded": base64.RawURLEncoding.EncodeToString(thirtyTwo),
		"with a newline":     base64.StdEncoding.EncodeToString(thirtyTwo) + "\n",
	}
	for name, s := range forms {
		k, err := codec.ParseKey(s)
		if err != nil {
			t.Errorf("%s %q: %v", name, s, err)
			continue
		}
		if k.ID() != want.ID() || k.Base64() != want.Base64() {
			t.Errorf("%s: parsed key %s differs from %s", name, k.ID(), want.ID())
		}
	}
}

func TestParseKeyRefusesWhatIsNotAKey(t *testing.T) {
	for name, s := range map[string]string{
		"empty":        "",
		"16 bytes":     base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"33 bytes":     base64.StdEncoding.EncodeToString(make([]byte, 33)),
		"not base64":   "this is not a key!",
		"a hex string": strings.Repeat("ab", 32),
	} {
		if _, err := codec.ParseKey(s); !errors.Is(err, codec.ErrInvalidKey) {
			t.Errorf("%s: ParseKey = %v, want ErrInvalidKey", name, err)
		}
	}
}

func TestKeyIDIsStableAndDistinct(t *testing.T) {
	a, _ := codec.NewKey(thirtyTwo)
	b, _ := codec.NewKey(thirtyTwo)
	c, _ := codec.GenerateKey()
	if a.ID() != b.ID() || len(a.ID()) != 16 {
		t.Errorf("the same key has IDs %q and %q", a.ID(), b.ID())
	}
	if a.ID() == c.ID() {
		t.Error("two different keys share an ID")
	}
	if strings.Contains(a.Base64(), a.ID()) {
		t.Error("the ID is part of the key")
	}
}

func TestKeyNeverPrintsItsMaterial(t *testing.T) {
	k, _ := codec.NewKey(thirtyTwo)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		if strings.Contains(out, k.Base64()) || strings.Contains(out, string(thirtyTwo)) || !strings.Contains(out, k.ID()) {
			t.Errorf("Sprintf(%q) = %q", format, out)
		}
	}
}

func TestKeyFileIsCreatedPrivateAndReloadedIdentical(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", ".stationflow")
	path := filepath.Join(dir, "codec.key")

	k1, created, err := codec.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("the first call did not report creating the key")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %o, want 600", perm)
	}
	dinfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := dinfo.Mode().Perm(); perm != 0o700 {
		t.Errorf("key directory mode = %o, want 700", perm)
	}

	k2, created, err := codec.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if created || k2.ID() != k1.ID() || k2.Base64() != k1.Base64() {
		t.Errorf("reloading gave key %s (created %v), want the same key %s", k2.ID(), created, k1.ID())
	}
	k3, err := codec.LoadKey("", path)
	if err != nil || k3.Base64() != k1.Base64() {
		t.Errorf("LoadKey from the file = %v, %v", k3, err)
	}
}

func TestLoadKeyPrefersTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codec.key")
	fileKey, _, err := codec.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	envKey, _ := codec.NewKey(thirtyTwo)
	got, err := codec.LoadKey(envKey.Base64(), path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != envKey.ID() || got.ID() == fileKey.ID() {
		t.Errorf("LoadKey chose %s; the environment's key is %s, the file's %s", got.ID(), envKey.ID(), fileKey.ID())
	}
	if _, err := codec.LoadKey("not a key", path); !errors.Is(err, codec.ErrInvalidKey) {
		t.Errorf("a bad environment key must not fall back to the file: %v", err)
	}
}

func TestLoadKeyWithNeither(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "codec.key")
	if _, err := codec.LoadKey("", missing); !errors.Is(err, codec.ErrNoKey) {
		t.Errorf("LoadKey with no key file = %v, want ErrNoKey", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("LoadKey created a key file")
	}
	if _, err := codec.LoadKey("", ""); !errors.Is(err, codec.ErrNoKey) {
		t.Errorf("LoadKey with nothing = %v, want ErrNoKey", err)
	}
}

func TestCorruptKeyFileIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "codec.key")
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := codec.LoadOrCreateKeyFile(path); !errors.Is(err, codec.ErrInvalidKey) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadOrCreateKeyFile of a corrupt file = %v, want ErrInvalidKey naming the file", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "garbage\n" {
		t.Error("a corrupt key file was overwritten")
	}
}

func TestDerivedKeysAreStableDistinctAndNotTheKey(t *testing.T) {
	a, _ := codec.NewKey(thirtyTwo)
	b, _ := codec.NewKey(thirtyTwo)
	c, _ := codec.GenerateKey()
	x, y := a.Derive("cursor"), b.Derive("cursor")
	if len(x) != 32 || string(x) != string(y) {
		t.Errorf("the same key and label derive %x and %x", x, y)
	}
	if string(x) == string(a.Derive("other")) || string(x) == string(c.Derive("cursor")) {
		t.Error("another label or another key derives the same bytes")
	}
	if string(x) == string(thirtyTwo) {
		t.Error("the derived bytes are the key")
	}
}
