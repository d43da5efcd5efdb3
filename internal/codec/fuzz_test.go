package codec_test

import (
	"errors"
	"testing"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/stationflow/stationflow/internal/codec"
)

// FuzzParseKey: whatever the text, ParseKey either refuses it with
// ErrInvalidKey or returns a key whose base64 form parses back to it.
func FuzzParseKey(f *testing.F) {
	f.Add("c3RhdGlvbmZsb3ctdGVzdC1rZXktMzItYnl0ZXMhIQ==")
	f.Add("c3RhdGlvbmZsb3ctdGVzdC1rZXktMzItYnl0ZXMhIQ")
	f.Add("")
	f.Add("====")
	f.Add("-_-_")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := codec.ParseKey(s)
		if err != nil {
			if !errors.Is(err, codec.ErrInvalidKey) {
				t.Fatalf("ParseKey(%q) = %v, not ErrInvalidKey", s, err)
			}
			return
		}
		again, err := codec.ParseKey(k.Base64())
		if err != nil || again.ID() != k.ID() {
			t.Fatalf("key %s does not survive its base64 form: %v", k.ID(), err)
		}
	})
}

// FuzzDecode: a payload that claims to be encrypted but was not made by the
// codec is refused with ErrUnknownKey or ErrAuthentication, never accepted
// and never a panic.
func FuzzDecode(f *testing.F) {
	key, err := codec.NewKey([]byte("stationflow-test-key-32-bytes!!!"))
	if err != nil {
		f.Fatal(err)
	}
	c := codec.NewPayloadCodec(key)
	valid, err := c.Encode([]*commonpb.Payload{{Data: []byte(`"王小明"`)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key.ID(), []byte{})
	f.Add(key.ID(), make([]byte, 28))
	f.Add("", []byte("plain"))
	tampered := append([]byte(nil), valid[0].Data...)
	tampered[len(tampered)-1] ^= 1
	f.Add(key.ID(), tampered)
	f.Add("ffffffffffffffff", tampered)
	f.Fuzz(func(t *testing.T, keyID string, data []byte) {
		p := &commonpb.Payload{
			Metadata: map[string][]byte{"encoding": []byte("binary/encrypted"), "encryption-key-id": []byte(keyID)},
			Data:     data,
		}
		_, err := c.Decode([]*commonpb.Payload{p})
		if err == nil {
			t.Fatalf("a forged payload (key %q, %d bytes) decrypted", keyID, len(data))
		}
		if !errors.Is(err, codec.ErrUnknownKey) && !errors.Is(err, codec.ErrAuthentication) {
			t.Fatalf("forged payload refused with %v", err)
		}
	})
}
