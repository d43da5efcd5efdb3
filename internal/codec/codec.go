package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload.
const (
	// EncodingEncrypted is the encoding an encrypted payload declares.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the metadata entry holding the ID of the key that
	// encrypted the payload.
	MetadataKeyID = "encryption-key-id"
)

// nonceSize is GCM's standard nonce length. Random 96-bit nonces are safe
// for far more payloads than one key will ever encrypt here.
const nonceSize = 12

// Payload problems.
var (
	// ErrUnknownKey: the payload was encrypted with a key this codec does
	// not hold.
	ErrUnknownKey = errors.New("payload encrypted with an unknown key")
	// ErrAuthentication: the payload's ciphertext does not authenticate
	// under the key it names: it was altered or truncated.
	ErrAuthentication = errors.New("encrypted payload failed authentication")
)

// aad binds a ciphertext to the key ID it claims, so a payload cannot be
// relabelled to another key.
func aad(keyID string) []byte { return []byte("stationflow payload v1\x00" + keyID) }

type payloadCodec struct {
	encryptWith string
	ciphers     map[string]cipher.AEAD
}

// NewPayloadCodec encrypts with the first key and decrypts with any of them.
//
// Encode marshals each whole payload (its metadata and data) and encrypts it
// with a fresh random nonce; the result has metadata encoding
// "binary/encrypted" and "encryption-key-id" and holds the nonce followed by
// the ciphertext. Decode reverses that, and passes payloads that are not
// encrypted through unchanged. Zero keys are ignored; with no key at all,
// Encode and Decode of an encrypted payload fail with ErrNoKey.
func NewPayloadCodec(keys ...Key) converter.PayloadCodec {
	c := &payloadCodec{ciphers: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if k.IsZero() {
			continue
		}
		if _, dup := c.ciphers[k.id]; dup {
			continue
		}
		block, err := aes.NewCipher(k.raw[:])
		if err != nil {
			panic(err) // unreachable: the key is always 32 bytes
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			panic(err) // unreachable: standard nonce and tag sizes
		}
		c.ciphers[k.id] = gcm
		if c.encryptWith == "" {
			c.encryptWith = k.id
		}
	}
	return c
}

// Encode encrypts every payload.
func (c *payloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.encryptWith == "" {
		return nil, fmt.Errorf("encrypting payloads: %w", ErrNoKey)
	}
	gcm := c.ciphers[c.encryptWith]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encrypting payload %d: %w", i, err)
		}
		sealed := make([]byte, nonceSize, nonceSize+len(plain)+gcm.Overhead())
		if _, err := rand.Read(sealed); err != nil {
			return nil, fmt.Errorf("encrypting payload %d: %w", i, err)
		}
		sealed = gcm.Seal(sealed, sealed[:nonceSize], plain, aad(c.encryptWith))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(c.encryptWith),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode decrypts every encrypted payload and passes the others through.
func (c *payloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return nil, fmt.Errorf("decrypting payload %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func (c *payloadCodec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.GetMetadata()[MetadataKeyID])
	if len(c.ciphers) == 0 {
		return nil, ErrNoKey
	}
	if id == "" {
		return nil, fmt.Errorf("%w: the payload names no key (metadata %q is missing)", ErrUnknownKey, MetadataKeyID)
	}
	gcm, ok := c.ciphers[id]
	if !ok {
		return nil, fmt.Errorf("%w: key ID %q is not among the configured keys", ErrUnknownKey, id)
	}
	data := p.GetData()
	if len(data) < nonceSize+gcm.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short to be a payload encrypted with key %s", ErrAuthentication, len(data), id)
	}
	plain, err := gcm.Open(nil, data[:nonceSize], data[nonceSize:], aad(id))
	if err != nil {
		return nil, fmt.Errorf("%w: it was altered, or encrypted with another key under ID %s", ErrAuthentication, id)
	}
	var decoded commonpb.Payload
	if err := proto.Unmarshal(plain, &decoded); err != nil {
		return nil, fmt.Errorf("decrypted payload is not a Temporal payload: %w", err)
	}
	return &decoded, nil
}

// NewDataConverter is Temporal's default data converter (JSON, protobuf,
// bytes, nil) with every payload passed through c: clients, workers and
// replayers all use it.
func NewDataConverter(c converter.PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}
