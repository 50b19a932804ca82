package container

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/errdefs"
	"berth/engine/network"
	"berth/engine/store"
)

// config merges the options over the image's config.
func config(o CreateOptions, imageID string, img imageConfig) (Config, error) {
	c := Config{
		Image: o.Image, ImageID: imageID,
		Entrypoint: img.Entrypoint, Cmd: img.Cmd,
		Env:        MergeEnv(img.Env, o.Env),
		WorkingDir: firstOf(o.WorkingDir, img.WorkingDir),
		User:       firstOf(o.User, img.User),
		Hostname:   o.Hostname,
		Labels:     map[string]string{},
		ReadOnly:   o.ReadOnly,
		StopSignal: firstOf(o.StopSignal, img.StopSignal, DefaultStopSignal),
		Tty:        o.Tty, OpenStdin: o.OpenStdin, AutoRemove: o.AutoRemove,
		Restart: o.Restart, Resources: o.Resources, Security: o.Security,
		NetworkMode:    firstOf(o.NetworkMode, "bridge"),
		NetworkAliases: o.NetworkAliases, IPAddress: o.IPAddress, MacAddress: o.MacAddress,
		DNS: o.DNS, ExtraHosts: o.ExtraHosts,
		StopTimeout: DefaultStopTimeout,
		LogMaxSize:  DefaultLogMaxSize, LogMaxFiles: DefaultLogMaxFiles,
	}
	for k, v := range img.Labels {
		c.Labels[k] = v
	}
	for k, v := range o.Labels {
		c.Labels[k] = v
	}
	if o.StopTimeout != nil {
		c.StopTimeout = *o.StopTimeout
	}
	if o.Entrypoint != nil {
		c.Entrypoint = *o.Entrypoint
		if len(c.Entrypoint) == 1 && c.Entrypoint[0] == "" {
			c.Entrypoint = nil
		}
		c.Cmd = nil // Docker: a new entrypoint drops the image's cmd
	}
	if len(o.Cmd) > 0 {
		c.Cmd = o.Cmd
	}
	if c.Restart.Name == "" {
		c.Restart.Name = "no"
	}
	switch {
	case len(c.Args()) == 0:
		return c, errdefs.InvalidArgument("no command specified: the image %s has none; give one after the image name", o.Image)
	case c.AutoRemove && c.Restart.Name != "no":
		return c, errdefs.InvalidArgument("conflicting options: --restart and --rm: a container removed at exit cannot restart")
	case c.StopTimeout < -1:
		return c, errdefs.InvalidArgument("invalid stop timeout %d: use seconds, or -1 to wait forever", c.StopTimeout)
	}
	if _, err := ParseSignal(c.StopSignal); err != nil {
		return c, err
	}
	if err := checkNetworkOptions(&c); err != nil {
		return c, err
	}
	if err := portsConfig(&c, o, img.ExposedPorts); err != nil {
		return c, err
	}
	return c, nil
}

// imageConfig is the part of an image config a container inherits.
type imageConfig struct {
	Entrypoint, Cmd, Env []string
	WorkingDir, User     string
	StopSignal           string
	Labels               map[string]string
	ExposedPorts         map[string]struct{} // "80/tcp"
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Create makes a container from an image: its record, its writable layer
// and its /etc files. It does not start it.
func (s *Service) Create(ctx context.Context, o CreateOptions) (*Container, error) {
	if o.Name != "" {
		if err := CheckName(o.Name); err != nil {
			return nil, err
		}
	}
	img, err := s.images.Resolve(ctx, o.Image)
	if err != nil {
		return nil, err
	}
	ic := img.Config.Config
	cfg, err := config(o, img.ID, imageConfig{Entrypoint: ic.Entrypoint, Cmd: ic.Cmd, Env: ic.Env,
		WorkingDir: ic.WorkingDir, User: ic.User, StopSignal: ic.StopSignal, Labels: ic.Labels,
		ExposedPorts: ic.ExposedPorts})
	if err != nil {
		return nil, err
	}
	cfg.Platform = img.Config.OS + "/" + img.Config.Architecture
	if cfg.Mounts, err = resolveMounts(o.Mounts, ic.Volumes); err != nil {
		return nil, err
	}
	c := &Container{ID: newID(), Name: o.Name, Created: time.Now(), Config: cfg, State: State{Status: Created}}
	// Settings only the runtime spec checks (capabilities, ...) fail now,
	// not at the first start.
	if _, err := Spec(c, SpecPaths{Rootfs: s.rootfs(c.ID)}); err != nil {
		return nil, err
	}
	if err := s.makeDirs(c, img.Layers); err != nil {
		os.RemoveAll(s.dir(c.ID))
		return nil, err
	}
	madeVolumes, err := s.prepareMounts(ctx, c, img.Layers)
	if err != nil {
		s.undoVolumes(ctx, madeVolumes)
		os.RemoveAll(s.dir(c.ID))
		return nil, err
	}
	if err := s.prepareNetwork(ctx, c); err != nil {
		s.undoVolumes(ctx, madeVolumes)
		os.RemoveAll(s.dir(c.ID))
		return nil, err
	}
	var ep *network.Endpoint
	cfgJSON, _ := json.Marshal(c.Config)
	stJSON, _ := json.Marshal(c.State)
	for try := 0; ; try++ {
		if o.Name == "" {
			c.Name = randomName(try)
		}
		err = s.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.PutContainer(store.Container{ID: c.ID, Name: c.Name, ImageID: c.Config.ImageID,
				Created: c.Created, Config: cfgJSON, State: stJSON}); err != nil {
				return err
			}
			if err := useVolumes(tx, c); err != nil {
				return err
			}
			if err := s.event(tx, c, "create", nil); err != nil {
				return err
			}
			ep, err = s.allocateNetwork(tx, c) // its connect after the create, as in Docker
			return err
		})
		if err == nil || o.Name != "" || !errdefs.IsConflict(err) || try > 10 {
			break
		}
	}
	if err != nil {
		s.undoVolumes(ctx, madeVolumes)
		os.RemoveAll(s.dir(c.ID))
		return nil, err
	}
	if ep != nil {
		if err := s.writeNetworkFiles(c, []network.Endpoint{*ep}); err != nil {
			s.Remove(context.WithoutCancel(ctx), c.ID, RemoveOptions{Force: true, Volumes: true})
			return nil, err
		}
	}
	return c, nil
}

// makeDirs creates the container's directory: writable layer, /etc files,
// lock; and its runtime directory. The writable layer's top directory
// takes the mode, owner and times of the image's root directory (layers
// lists the image's layers, top first): overlayfs shows the upper
// directory's attributes as the container's /, so a 0700 one would lock
// every non-root user out of the whole file system.
func (s *Service) makeDirs(c *Container, layers []string) error {
	for _, d := range []string{"upper", "work"} {
		if err := os.MkdirAll(s.dir(c.ID)+"/"+d, 0o700); err != nil {
			return errdefs.FromIO(err, "container "+c.ID[:12])
		}
	}
	if len(layers) > 0 {
		if err := copyDirAttrs(layers[0], s.dir(c.ID)+"/upper"); err != nil {
			return fmt.Errorf("container %s: writable layer: %w", c.ID[:12], err)
		}
	}
	if _, err := WriteEtcFiles(s.dir(c.ID), c, c.Config.NetworkMode); err != nil {
		return err
	}
	f, err := os.OpenFile(s.dir(c.ID)+"/lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// copyDirAttrs gives directory dst the owner, mode and times of src.
func copyDirAttrs(src, dst string) error {
	var st unix.Stat_t
	if err := unix.Stat(src, &st); err != nil {
		return err
	}
	if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if err := os.Chmod(dst, os.FileMode(st.Mode&0o777)|unixModeBits(st.Mode)); err != nil {
		return err
	}
	return unix.UtimesNanoAt(unix.AT_FDCWD, dst, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW)
}

// unixModeBits turns setuid, setgid and sticky bits of a stat mode into Go's.
func unixModeBits(m uint32) os.FileMode {
	var out os.FileMode
	if m&unix.S_ISUID != 0 {
		out |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		out |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		out |= os.ModeSticky
	}
	return out
}

// Remove deletes a container that is not running (or, with Force, kills it
// first): its record, writable layer, logs and runtime leftovers.
func (s *Service) Remove(ctx context.Context, ref string, o RemoveOptions) error {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	unlock, err := s.tryLock(c.ID)
	if errdefs.IsConflict(err) && o.Force && !c.State.Status.Active() && c.State.Status != Restarting && monitorAlive(c) {
		// A start is under way and its monitor holds the lock until the
		// process runs (or, if its berth was killed, until it gives up
		// waiting for an attach): -f ends it rather than wait.
		syscall.Kill(c.State.MonitorPid, syscall.SIGKILL)
	}
	if err != nil {
		if unlock, err = s.lock(ctx, c.ID); err != nil {
			return err
		}
	}
	defer unlock()
	if c, err = s.Get(ctx, c.ID); errdefs.IsNotFound(err) {
		return nil // removed meanwhile (an auto-remove container that ended)
	} else if err != nil { // as it is now that we hold the lock
		return err
	}
	if !c.State.Status.Active() && c.State.Status != Restarting && monitorAlive(c) {
		// A start is under way (or its berth was killed half-way): end its
		// monitor before taking the container apart.
		if !o.Force {
			return errdefs.Conflict("cannot remove container %s: it is starting: wait, or force with -f", c.Name)
		}
		if err := s.endMonitor(ctx, c); err != nil {
			return err
		}
	}
	if c.State.Status.Active() || c.State.Status == Restarting {
		if !o.Force {
			return errdefs.Conflict("cannot remove container %s: it is %s: stop it first, or force with -f", c.Name, c.State.Status)
		}
		if err := s.kill(ctx, c, syscallKill, true); err != nil && !errdefs.IsConflict(err) {
			return err
		}
		stopped, err := s.waitStopped(ctx, c, 10*time.Second, true)
		if err != nil {
			return err
		}
		if !stopped {
			return errdefs.Unavailable("cannot remove container %s: it did not stop within 10 s of SIGKILL: its processes may be stuck in the kernel (see berth top %s)", c.Name, c.Name)
		}
		if c, err = s.Get(ctx, c.ID); err != nil {
			return nil // its monitor removed it (--rm)
		}
	}
	if err := s.destroy(ctx, c); err != nil {
		return err
	}
	if o.Volumes {
		return s.removeAnonymousVolumes(ctx, c)
	}
	return nil
}

// endMonitor kills the monitor of a container that has not started yet
// and waits until it is gone; destroy then cleans up what it left.
func (s *Service) endMonitor(ctx context.Context, c *Container) error {
	syscall.Kill(c.State.MonitorPid, syscall.SIGKILL)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for store.Owner(c.State.MonitorStart).Alive() {
		select {
		case <-ctx.Done():
			return errdefs.Unavailable("the monitor of container %s (pid %d) did not end after SIGKILL", c.Name, c.State.MonitorPid)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// destroy removes what a stopped container left and its record. The caller
// holds the container's lock.
func (s *Service) destroy(ctx context.Context, c *Container) error {
	s.cleanupRuntime(c.ID)
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		// Its networks' disconnects come before its destroy, as in Docker
		// (none if another process removed it meanwhile).
		if err := network.Release(tx, c.ID); err != nil {
			return err
		}
		if err := tx.DeleteContainer(c.ID); errdefs.IsNotFound(err) {
			return nil // removed by another process meanwhile
		} else if err != nil {
			return err
		}
		return s.event(tx, c, "destroy", nil)
	})
	if err != nil {
		return err
	}
	// Rename first so the directory disappears at once, then delete.
	gone := s.dir(c.ID) + ".removing"
	if err := os.Rename(s.dir(c.ID), gone); err != nil && !os.IsNotExist(err) {
		return err
	}
	if c.Config.AutoRemove { // --rm takes the anonymous volumes along, as in Docker
		s.removeAnonymousVolumes(ctx, c)
	}
	return os.RemoveAll(gone)
}

// cleanupRuntime undoes what a monitor that died could not: the rootfs
// mount, the libcontainer state and cgroup, the socket.
func (s *Service) cleanupRuntime(id string) {
	destroyLibcontainer(s.stateRoot(), id)
	removeCgroups(id)
	s.unpublish(id) // port rules a killed monitor left
	unmount(s.rootfs(id))
	os.RemoveAll(s.runDir(id))
	os.Remove(s.socket(id))
}

// Prune removes every container that is not running.
func (s *Service) Prune(ctx context.Context) (PruneReport, error) {
	var rep PruneReport
	list, err := s.List(ctx, true)
	if err != nil {
		return rep, err
	}
	for _, c := range list {
		if c.State.Status.Active() || c.State.Status == Restarting {
			continue
		}
		size := dirSize(s.dir(c.ID) + "/upper")
		if err := s.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
			if errdefs.IsConflict(err) || errdefs.IsNotFound(err) {
				continue
			}
			return rep, err
		}
		rep.Removed = append(rep.Removed, c.ID)
		rep.Space += size
	}
	return rep, nil
}
