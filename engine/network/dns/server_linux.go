package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
)

// Server is a name server running in one network namespace.
type Server struct {
	udp, tcp *mdns.Server
	cancel   context.CancelFunc
	served   sync.WaitGroup
	close    sync.Once
}

// udpReadTimeout is how long the UDP loop blocks in one read: long, so an
// idle server does not wake up (Close unblocks it at once).
const udpReadTimeout = time.Hour

// Start listens on ResolverAddr:53, UDP and TCP, in the network namespace
// at nsPath (/proc/<pid>/ns/net of the container's init) and answers
// there with cfg until Close. When Start returns, queries are answered.
func Start(nsPath string, cfg Config) (*Server, error) {
	pc, ln, err := listenIn(nsPath)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHandler(ctx, cfg)
	s := &Server{
		cancel: cancel,
		udp:    &mdns.Server{PacketConn: pc, Handler: h, ReadTimeout: udpReadTimeout},
		tcp:    &mdns.Server{Listener: ln, Handler: h},
	}
	started := make(chan struct{}, 2)
	for _, srv := range []*mdns.Server{s.udp, s.tcp} {
		srv.NotifyStartedFunc = func() { started <- struct{}{} }
		s.served.Add(1)
		go func() {
			defer s.served.Done()
			srv.ActivateAndServe()
		}()
	}
	<-started
	<-started
	return s, nil
}

// Serve is Start, then Close when ctx ends.
func Serve(ctx context.Context, nsPath string, cfg Config) error {
	s, err := Start(nsPath, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return s.Close()
}

// Close stops answering: queries being forwarded end, the sockets are
// closed (so the namespace can go away with the container).
func (s *Server) Close() error {
	s.close.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.udp.ShutdownContext(ctx)
		s.tcp.ShutdownContext(ctx)
		s.served.Wait()
	})
	return nil
}

// listenIn opens the sockets in the namespace at nsPath, on a thread of
// its own that enters the namespace and is never used again (it ends with
// its goroutine, LockOSThread never undone), so no other goroutine ever
// runs in the container's namespace.
func listenIn(nsPath string) (*net.UDPConn, *net.TCPListener, error) {
	type result struct {
		pc  *net.UDPConn
		ln  *net.TCPListener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		pc, ln, err := listenHere(nsPath)
		ch <- result{pc, ln, err}
	}()
	r := <-ch
	switch {
	case errors.Is(r.err, unix.EADDRINUSE):
		return nil, nil, errdefs.Wrap(errdefs.ErrConflict, r.err, "the container's name server cannot listen on %s:53 in %s: the address is in use there; a container on a user network must leave it to berth", ResolverAddr, nsPath)
	case r.err != nil:
		return nil, nil, errdefs.Wrap(errdefs.ErrUnavailable, r.err, "the container's name server cannot listen on %s:53 in %s: %v; is the container's init still alive?", ResolverAddr, nsPath, r.err)
	}
	return r.pc, r.ln, nil
}

// listenHere enters the namespace with the calling (locked) thread and
// opens the sockets. The loopback interface is brought up if it is not
// (libcontainer brings it up before Start returns; this is for callers
// that made the namespace themselves: binding works on a down lo, but
// nothing reaches the socket).
func listenHere(nsPath string) (*net.UDPConn, *net.TCPListener, error) {
	fd, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	err = unix.Setns(fd, unix.CLONE_NEWNET)
	unix.Close(fd)
	if err != nil {
		return nil, nil, fmt.Errorf("enter the network namespace: %w", err)
	}
	if err := loopbackUp(); err != nil {
		return nil, nil, err
	}
	addr := localAddr()
	pc, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: addr.IP, Port: addr.Port})
	if err != nil {
		pc.Close()
		return nil, nil, err
	}
	return pc, ln, nil
}

// loopbackUp sets the flag IFF_UP on lo of the current thread's network
// namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	if ifr.Uint16()&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	return nil
}
