package pty

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// hangupGrace is how long Close lets a program act on SIGHUP before it
// sends SIGKILL.
const hangupGrace = 200 * time.Millisecond

// FromMaster makes a Session of a program running on the terminal whose
// master is master (kept in Go's poller, as RecvConsole returns it and
// StartHost opens it, so Close interrupts a pending Read). wait reaps the
// program and returns its exit code; it is called once, at once, in a
// goroutine of its own. signal delivers a signal to the program and what it
// started on the terminal (its session: SignalSession). Reading after every
// process has closed the terminal returns io.EOF. The session owns master.
func FromMaster(master *os.File, wait func() (int, error), signal func(syscall.Signal) error) Session {
	s := &masterSession{master: master, signal: signal, done: make(chan struct{})}
	go func() {
		s.code, s.err = wait()
		close(s.done)
	}()
	return s
}

type masterSession struct {
	master *os.File
	signal func(syscall.Signal) error

	done chan struct{} // closed when wait returned; then code and err are set
	code int
	err  error

	closeOnce sync.Once
	closeErr  error
}

func (s *masterSession) Read(p []byte) (int, error) {
	n, err := s.master.Read(p)
	if err != nil && (errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed)) {
		// EIO: no process has the terminal open any more; ErrClosed: Close.
		err = io.EOF
	}
	return n, err
}

func (s *masterSession) Write(p []byte) (int, error) { return s.master.Write(p) }

func (s *masterSession) Resize(cols, rows uint16) error { return SetSize(s.master, cols, rows) }

// Close hangs the terminal up and sends SIGHUP to the program's session
// (background jobs included, also when the program itself has ended); what
// is left of it after hangupGrace (or once the program ended) is sent
// SIGKILL. It returns once the program has been reaped.
func (s *masterSession) Close() error {
	s.closeOnce.Do(func() {
		s.master.Close()
		s.signal(syscall.SIGHUP)
		select {
		case <-s.done:
		case <-time.After(hangupGrace):
		}
		s.signal(syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.closeErr = errors.New("the session's process did not end 10 s after SIGKILL")
		}
	})
	return s.closeErr
}

func (s *masterSession) Wait() (int, error) {
	<-s.done
	return s.code, s.err
}

// SignalSession sends sig to every process of session sid: a program that
// called setsid and what it started on its terminal, background jobs
// included, also after the program itself ended (the kernel does not reuse
// the number while the session has members). Processes that left the
// session (daemons) are not reached. sid is a process ID in this process's
// PID namespace.
func SignalSession(sid int, sig syscall.Signal) error {
	if sid <= 1 {
		return fmt.Errorf("signal session %d: not a session of a program on a terminal", sid)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("signal session %d: %w", sid, err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && sessionOf(pid) == sid {
			syscall.Kill(pid, sig)
		}
	}
	return nil
}

// sessionOf reads the session ID of pid from /proc/PID/stat, or -1.
func sessionOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// pid (comm) state ppid pgrp session ...; comm may hold spaces and ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 4 {
		return -1
	}
	sid, err := strconv.Atoi(f[3])
	if err != nil {
		return -1
	}
	return sid
}
