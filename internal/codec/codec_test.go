package codec_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/stationflow/stationflow/internal/codec"
)

// resident is the kind of record stationflow passes through workflows: a
// person's name next to opaque IDs.
type resident struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Guardian  string `json:"guardian"`
	StationID string `json:"station_id"`
}

var child = resident{ID: "p-0193", Name: "王小明", Guardian: "李秀英", StationID: "st-510108001"}

func mustKey(t testing.TB) codec.Key {
	t.Helper()
	k, err := codec.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestARecordWithAChineseNameRoundTrips(t *testing.T) {
	key := mustKey(t)
	dc := codec.NewDataConverter(codec.NewPayloadCodec(key))

	p, err := dc.ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	var back resident
	if err := dc.FromPayload(p, &back); err != nil {
		t.Fatal(err)
	}
	if back != child {
		t.Errorf("round trip gave %+v, want %+v", back, child)
	}

	ps, err := dc.ToPayloads(child, "第二个参数", 42)
	if err != nil {
		t.Fatal(err)
	}
	var (
		r2 resident
		s2 string
		n2 int
	)
	if err := dc.FromPayloads(ps, &r2, &s2, &n2); err != nil {
		t.Fatal(err)
	}
	if r2 != child || s2 != "第二个参数" || n2 != 42 {
		t.Errorf("FromPayloads gave %+v, %q, %d", r2, s2, n2)
	}
}

func TestEncryptedPayloadHoldsNoPlaintext(t *testing.T) {
	key := mustKey(t)
	plain, err := converter.GetDefaultDataConverter().ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	// Without the codec the names are there in UTF-8 for anyone reading
	// the history: this is what the codec must prevent.
	if !bytes.Contains(plain.Data, []byte("王小明")) {
		t.Fatalf("the unencrypted payload %q should contain the name", plain.Data)
	}

	p, err := codec.NewDataConverter(codec.NewPayloadCodec(key)).ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Metadata["encoding"]); got != "binary/encrypted" {
		t.Errorf("encoding = %q, want binary/encrypted", got)
	}
	if got := string(p.Metadata["encryption-key-id"]); got != key.ID() {
		t.Errorf("encryption-key-id = %q, want %q", got, key.ID())
	}
	if len(p.Metadata) != 2 {
		t.Errorf("metadata %v carries more than the encoding and key ID", p.Metadata)
	}
	everything := []byte(p.String()) // data and metadata, as Temporal stores them
	for _, secret := range []string{"王小明", "李秀英", "王", "name", "guardian", "json/plain", child.StationID} {
		if bytes.Contains(p.Data, []byte(secret)) || bytes.Contains(everything, []byte(secret)) {
			t.Errorf("encrypted payload contains %q", secret)
		}
	}
	// The UTF-8 bytes of 王 (e7 8e 8b), searched for on their own.
	if bytes.Contains(p.Data, []byte{0xe7, 0x8e, 0x8b}) {
		t.Error("encrypted payload contains the UTF-8 bytes of 王")
	}
}

func TestSameValueEncryptsDifferentlyEachTime(t *testing.T) {
	dc := codec.NewDataConverter(codec.NewPayloadCodec(mustKey(t)))
	a, _ := dc.ToPayload(child)
	b, _ := dc.ToPayload(child)
	if bytes.Equal(a.Data, b.Data) {
		t.Error("two encryptions of one value are identical: the nonce is not fresh")
	}
}

func TestTamperedPayloadIsRefused(t *testing.T) {
	key, other := mustKey(t), mustKey(t)
	dc := codec.NewDataConverter(codec.NewPayloadCodec(key, other))
	p, err := dc.ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	tamper := map[string]func(p *commonpb.Payload){
		"a flipped ciphertext bit": func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 0x01 },
		"a flipped nonce bit":      func(p *commonpb.Payload) { p.Data[0] ^= 0x80 },
		"a cut-off tag":            func(p *commonpb.Payload) { p.Data = p.Data[:len(p.Data)-1] },
		"nothing but the nonce":    func(p *commonpb.Payload) { p.Data = p.Data[:12] },
		"relabelled to another configured key": func(p *commonpb.Payload) {
			p.Metadata["encryption-key-id"] = []byte(other.ID())
		},
	}
	for name, change := range tamper {
		t.Run(name, func(t *testing.T) {
			q := &commonpb.Payload{Metadata: map[string][]byte{}, Data: bytes.Clone(p.Data)}
			for k, v := range p.Metadata {
				q.Metadata[k] = bytes.Clone(v)
			}
			change(q)
			var back resident
			err := dc.FromPayload(q, &back)
			if !errors.Is(err, codec.ErrAuthentication) {
				t.Fatalf("FromPayload of a tampered payload = %v, want ErrAuthentication", err)
			}
			if back != (resident{}) {
				t.Errorf("a refused payload still filled in %+v", back)
			}
		})
	}
}

func TestKeysRotate(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	before := codec.NewDataConverter(codec.NewPayloadCodec(oldKey))
	after := codec.NewDataConverter(codec.NewPayloadCodec(newKey, oldKey))

	// A history written before the rotation still reads after it.
	old, err := before.ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	var got resident
	if err := after.FromPayload(old, &got); err != nil || got != child {
		t.Fatalf("after rotation, the old payload reads as %+v, %v", got, err)
	}

	// New payloads use the new key, the first one.
	fresh, err := after.ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	if id := string(fresh.Metadata["encryption-key-id"]); id != newKey.ID() {
		t.Errorf("after rotation payloads are encrypted with %q, want the new key %q", id, newKey.ID())
	}
	// A process that was not given the new key cannot read them, and says so.
	err = before.FromPayload(fresh, &got)
	if !errors.Is(err, codec.ErrUnknownKey) {
		t.Fatalf("an old process reading a new payload: %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), newKey.ID()) {
		t.Errorf("the error %q does not name the unknown key ID %s", err, newKey.ID())
	}
}

func TestUnknownOrMissingKeyID(t *testing.T) {
	c := codec.NewPayloadCodec(mustKey(t))
	for name, meta := range map[string]map[string][]byte{
		"unknown ID": {"encoding": []byte("binary/encrypted"), "encryption-key-id": []byte("0123456789abcdef")},
		"no ID":      {"encoding": []byte("binary/encrypted")},
	} {
		_, err := c.Decode([]*commonpb.Payload{{Metadata: meta, Data: make([]byte, 64)}})
		if !errors.Is(err, codec.ErrUnknownKey) {
			t.Errorf("%s: Decode = %v, want ErrUnknownKey", name, err)
		}
	}
}

func TestUnencryptedPayloadsPassThrough(t *testing.T) {
	plain, err := converter.GetDefaultDataConverter().ToPayload("written before encryption was turned on")
	if err != nil {
		t.Fatal(err)
	}
	out, err := codec.NewPayloadCodec(mustKey(t)).Decode([]*commonpb.Payload{plain})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != plain {
		t.Errorf("an unencrypted payload was changed to %v", out[0])
	}
}

func TestCodecWithoutKeysRefusesToEncode(t *testing.T) {
	c := codec.NewPayloadCodec(codec.Key{})
	if _, err := c.Encode([]*commonpb.Payload{{Data: []byte("x")}}); !errors.Is(err, codec.ErrNoKey) {
		t.Errorf("Encode with no key = %v, want ErrNoKey", err)
	}
}

func TestCodecServerForTheWebUI(t *testing.T) {
	key := mustKey(t)
	const ui = "http://127.0.0.1:8233"
	srv := httptest.NewServer(http.StripPrefix("/codec", codec.NewCodecHTTPHandler(codec.NewPayloadCodec(key), ui)))
	defer srv.Close()

	encrypted, err := codec.NewDataConverter(codec.NewPayloadCodec(key)).ToPayload(child)
	if err != nil {
		t.Fatal(err)
	}
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{encrypted}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/codec/decode", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", ui)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("decode: %s %s", resp.Status, raw)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != ui {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, ui)
	}
	var decoded commonpb.Payloads
	if err := protojson.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	var back resident
	if err := converter.GetDefaultDataConverter().FromPayload(decoded.Payloads[0], &back); err != nil || back != child {
		t.Errorf("the codec server decoded %+v, %v", back, err)
	}

	// A page from any other origin gets no CORS grant.
	pre, _ := http.NewRequest(http.MethodOptions, srv.URL+"/codec/decode", nil)
	pre.Header.Set("Origin", "http://elsewhere.test")
	resp2, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if got := resp2.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("a foreign origin was granted %q", got)
	}
	// The UI's own preflight succeeds.
	pre.Header.Set("Origin", ui)
	resp3, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != http.StatusOK || resp3.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight from the UI: %s, headers %v", resp3.Status, resp3.Header)
	}
}
