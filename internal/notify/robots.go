package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Robots posts to WeCom (企业微信) and DingTalk (钉钉) group robots.
type Robots struct {
	Client *http.Client // nil: a client with a 10-second timeout
	Now    func() time.Time
}

// markdown is the body both robots take for a markdown message.
type markdown struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Title   string `json:"title,omitempty"`
		Content string `json:"content,omitempty"`
		Text    string `json:"text,omitempty"`
	} `json:"markdown"`
}

// WeCom posts msg to a WeCom group robot's webhook URL.
func (r *Robots) WeCom(ctx context.Context, webhook string, msg Message) error {
	var m markdown
	m.MsgType = "markdown"
	m.Markdown.Content = "**" + msg.Title + "**\n" + msg.Body
	return r.post(ctx, webhook, m, wecomRetryable)
}

// DingTalk posts msg to a DingTalk group robot's webhook URL, signed with
// the robot's secret: HMAC-SHA256 over timestamp + "\n" + secret, base64,
// sent as the timestamp and sign query parameters.
func (r *Robots) DingTalk(ctx context.Context, webhook, secret string, msg Message) error {
	var m markdown
	m.MsgType = "markdown"
	m.Markdown.Title = msg.Title
	m.Markdown.Text = "#### " + msg.Title + "\n" + msg.Body
	target := webhook
	if secret != "" {
		now := time.Now
		if r.Now != nil {
			now = r.Now
		}
		u, err := url.Parse(webhook)
		if err != nil {
			return permanent("the DingTalk webhook is not a URL")
		}
		ts := strconv.FormatInt(now().UnixMilli(), 10)
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(ts, secret))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	return r.post(ctx, target, m, dingtalkRetryable)
}

// DingTalkSign is the signature DingTalk checks for a timestamp (in
// milliseconds) and a robot's secret.
func DingTalkSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Error codes the robots answer that pass with time: rate limits and
// system busy. Every other non-zero code is permanent.
var (
	wecomRetryable    = map[int]bool{-1: true, 45009: true}
	dingtalkRetryable = map[int]bool{-1: true, 130101: true}
)

// post sends body and classifies the answer: a 4xx or a robot's error
// code is permanent, a 5xx or a network error is not.
func (r *Robots) post(ctx context.Context, target string, body any, retryable map[int]bool) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return permanent("encoding the message: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return permanent("the webhook is not a URL")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	switch {
	case res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests:
		return permanent("the robot answered %s", res.Status)
	case res.StatusCode/100 != 2:
		return fmt.Errorf("the robot answered %s", res.Status)
	}
	var reply struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(answer, &reply) != nil || reply.ErrCode == 0 {
		return nil
	}
	if retryable[reply.ErrCode] {
		return fmt.Errorf("the robot answered error %d: %.200s", reply.ErrCode, reply.ErrMsg)
	}
	return permanent("the robot answered error %d: %.200s", reply.ErrCode, reply.ErrMsg)
}
