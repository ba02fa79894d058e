package server

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Open connections (#17).
//
// Without a cap, idle keep-alive connections and connections that never
// send a request pile up until the process runs out of file descriptors;
// then accept fails and net/http backs off, and normal requests wait
// seconds. The connection table below caps the open connections at
// Config.MaxConns. When a connection arrives at the cap, room is made by
// closing the connection that has waited longest without a request in
// progress: an idle keep-alive connection, else the oldest one that has
// not sent its first request (a client sends it at once; one that has not
// after newConnGrace is more likely one of a flood than a client). When
// every connection is busy with a request, or too new, the new one is
// answered a canned 503 and closed, at the cost of one write (net/http
// never sees it).

// newConnGrace protects a connection that has just been accepted from
// being closed to make room, so that a flood of new connections cannot
// evict a client's before its request line has arrived.
const newConnGrace = 250 * time.Millisecond

// connTable tracks the open connections by state (from http.Server's
// ConnState hook) and enforces the cap in Accept. It is safe for concurrent
// use.
type connTable struct {
	max int // <= 0: no cap (connections are still tracked)

	mu    sync.Mutex
	conns map[net.Conn]connEntry

	evicted  atomic.Uint64 // connections closed to make room
	rejected atomic.Uint64 // connections answered 503 at the cap
}

// connEntry is a connection's last state and when it entered it.
type connEntry struct {
	state http.ConnState
	since time.Time
}

func newConnTable(max int) *connTable {
	return &connTable{max: max, conns: map[net.Conn]connEntry{}}
}

// open returns the number of open connections.
func (t *connTable) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// connState is the http.Server ConnState hook.
func (t *connTable) connState(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(t.conns, c)
	default:
		if _, ok := t.conns[c]; !ok && st != http.StateNew {
			return // closed to make room meanwhile: not coming back
		}
		t.conns[c] = connEntry{state: st, since: time.Now()}
	}
}

// admit registers a new connection and reports whether it may be served:
// under the cap, or once an idle or silent connection was closed to make
// room.
func (t *connTable) admit(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.max > 0 && len(t.conns) >= t.max {
		victim := t.victimLocked(time.Now())
		if victim == nil {
			return false
		}
		delete(t.conns, victim)
		_ = victim.Close()
		t.evicted.Add(1)
	}
	t.conns[c] = connEntry{state: http.StateNew, since: time.Now()}
	return true
}

// victimLocked returns the connection to close to make room: the one idle
// longest, or failing that the oldest that has not sent a request and is
// older than newConnGrace; nil when every connection is busy. t.mu is held.
func (t *connTable) victimLocked(now time.Time) net.Conn {
	var idle, silent net.Conn
	var idleSince, silentSince time.Time
	for c, e := range t.conns {
		switch {
		case e.state == http.StateIdle && (idle == nil || e.since.Before(idleSince)):
			idle, idleSince = c, e.since
		case e.state == http.StateNew && now.Sub(e.since) >= newConnGrace && (silent == nil || e.since.Before(silentSince)):
			silent, silentSince = c, e.since
		}
	}
	if idle != nil {
		return idle
	}
	return silent
}

// closeSilent closes the connections that have not sent a request (on
// shutdown: http.Server.Shutdown would wait up to 5 s for them).
func (t *connTable) closeSilent() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c, e := range t.conns {
		if e.state == http.StateNew {
			delete(t.conns, c)
			_ = c.Close()
		}
	}
}

// capListener is a net.Listener that admits connections through a
// connTable.
type capListener struct {
	net.Listener
	t    *connTable
	busy []byte // the canned answer to a connection over the cap
}

// listener wraps ln so that its connections are admitted by t.
func (t *connTable) listener(ln net.Listener, retryAfter time.Duration) net.Listener {
	body := `{"error":{"code":"overloaded","message":"too many open connections; retry later"}}` + "\n"
	busy := "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n" +
		"Retry-After: " + strconv.Itoa(retrySeconds(retryAfter)) + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	return &capListener{Listener: ln, t: t, busy: []byte(busy)}
}

// Accept returns the next connection admitted under the cap; connections
// over it are answered 503 and closed.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.t.admit(c) {
			return c, nil
		}
		l.t.rejected.Add(1)
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.Write(l.busy)
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite() // the answer ends here; the close follows (closeUnread)
		}
		time.AfterFunc(lingerTime, func() { _ = c.Close() })
	}
}
