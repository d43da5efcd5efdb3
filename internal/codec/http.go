package codec

import (
	"net/http"
	"slices"

	"go.temporal.io/sdk/converter"
)

// NewCodecHTTPHandler serves c as a Temporal codec server, so the Temporal Web
// UI (and `temporal workflow show --codec-endpoint`) can show decrypted
// payloads: POST …/decode and POST …/encode take and return Temporal's JSON
// form of a Payloads message. Point the UI at the handler's URL prefix, for
// example http://127.0.0.1:8080/codec, in its settings ("Codec Server") or
// with the UI server's codec.endpoint setting.
//
// The browser calls the codec server from the UI's page, so the UI's origin
// (e.g. "http://127.0.0.1:8233") must be among allowedOrigins; the handler
// answers CORS preflights for those origins only.
//
// Whoever can reach the handler can decrypt any payload they hold: mount it
// on a loopback address or behind the API's authentication, never openly.
func NewCodecHTTPHandler(c converter.PayloadCodec, allowedOrigins ...string) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(allowedOrigins, origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusOK)
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
}
