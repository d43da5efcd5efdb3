package backup

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/stationflow/stationflow/internal/codec"
)

// Manifest describes a backup; it is manifest.json in the backup directory.
type Manifest struct {
	CreatedAt time.Time `json:"created_at"`
	// Version is the stationflow version that took the backup, if known.
	Version string `json:"stationflow_version,omitempty"`
	// Database is the name of the PostgreSQL database backed up.
	Database string `json:"database"`
	// KeyFingerprint is Fingerprint of the payload key; never the key.
	KeyFingerprint string `json:"key_fingerprint"`
	Temporal       Part   `json:"temporal"`
	Postgres       Part   `json:"postgres"`
}

// Part is the size of one store's snapshot and the time taking it took.
type Part struct {
	Bytes    int64    `json:"bytes"`
	Duration Duration `json:"duration"`
}

// Duration is a time.Duration written as "1.5s" in JSON.
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).Round(time.Millisecond).String() }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Fingerprint names a payload key without revealing it: the SHA-256 of the
// key's 32 bytes, in hex. The same key gives the same fingerprint whether it
// comes from a key file or from STATIONFLOW_CODEC_KEY.
func Fingerprint(k codec.Key) string {
	raw, err := base64.StdEncoding.DecodeString(k.Base64())
	if err != nil || k.IsZero() {
		return ""
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (m Manifest) write(dir string) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, manifestFile), append(raw, '\n'), 0o600)
}

// ReadManifest reads the manifest of the backup in dir.
func ReadManifest(dir string) (Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return Manifest{}, fmt.Errorf("%s is not a stationflow backup (%w): give the directory `stationflow backup --to` wrote", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", filepath.Join(dir, manifestFile), err)
	}
	if m.KeyFingerprint == "" {
		return Manifest{}, fmt.Errorf("%s names no key fingerprint: the backup is incomplete, take another", filepath.Join(dir, manifestFile))
	}
	return m, nil
}
