package devserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// PortInUseError reports a port that Start found taken. The Temporal server
// would end the whole process on a failed listen, so Start checks every port
// it needs before starting anything.
type PortInUseError struct {
	IP   string
	Port int
	// What the port is for: "frontend", "Web UI", or an internal service.
	What string
	// Flag is the stationflow dev flag that chooses this port, if any.
	Flag string
	Err  error
}

func (e *PortInUseError) Error() string {
	msg := fmt.Sprintf("port %d on %s is in use", e.Port, e.IP)
	if e.What != "frontend" {
		msg += " (Temporal " + e.What + ")"
	}
	msg += ": is another stationflow dev running?"
	if e.Flag != "" {
		msg += " use " + e.Flag
	}
	return msg
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// portSet holds the listeners used to reserve ports while they are chosen,
// so that two internal services never get the same free port.
type portSet struct {
	ip        string
	listeners []net.Listener
}

// claim checks that port (which must be non-zero) can be bound on the IP and
// keeps it reserved until release.
func (p *portSet) claim(port int, what, flag string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(p.ip, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return &PortInUseError{IP: p.ip, Port: port, What: what, Flag: flag, Err: err}
		}
		return fmt.Errorf("cannot listen on %s port %d on %s: %w", what, port, p.ip, err)
	}
	p.listeners = append(p.listeners, l)
	return nil
}

// pick reserves a free port chosen by the kernel.
func (p *portSet) pick(what string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(p.ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("cannot find a free port for %s on %s: %w", what, p.ip, err)
	}
	p.listeners = append(p.listeners, l)
	return l.Addr().(*net.TCPAddr).Port, nil
}

// release closes the reserving listeners so the server can bind the ports.
func (p *portSet) release() {
	for _, l := range p.listeners {
		_ = l.Close()
	}
	p.listeners = nil
}
