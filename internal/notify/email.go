package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTP sends e-mail through one SMTP server (a relay of the installation,
// without authentication, as --smtp-addr and --smtp-from configure it),
// over STARTTLS when the server offers it.
type SMTP struct {
	Addr string // host:port
	From string
	// Timeout bounds one message; zero means 30 seconds.
	Timeout time.Duration
}

// Send mails msg to one address: the title as the subject (RFC 2047
// encoded), the body as base64 UTF-8 text. A 5xx answer is permanent.
func (m *SMTP) Send(ctx context.Context, to string, msg Message) error {
	if m == nil || m.Addr == "" {
		return permanent("no SMTP server is configured")
	}
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classifySMTP(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	return classifySMTP(m.transmit(c, to, msg))
}

func (m *SMTP) transmit(c *smtp.Client, to string, msg Message) error {
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(compose(m.From, to, msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes the message's header and base64 body.
func compose(from, to string, msg Message) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n", from, to,
		mime.BEncoding.Encode("UTF-8", msg.Title), time.Now().Format(time.RFC1123Z))
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(msg.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// classifySMTP makes a 5xx reply permanent.
func classifySMTP(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &Permanent{Err: err}
	}
	if err != nil && strings.Contains(err.Error(), "EOF") {
		return fmt.Errorf("SMTP connection closed: %w", err)
	}
	return err
}
