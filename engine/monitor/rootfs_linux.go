package monitor

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// overlayOptions are added to every overlay mount. index=off, whatever the
// kernel's default (CONFIG_OVERLAY_FS_INDEX): with the inode index on, an
// upper directory records the file handle of the first lower it was mounted
// over and refuses (ESTALE) any other, so a writable layer could not be
// mounted again once an image layer below it was unpacked anew; the index
// buys hard-link and NFS-export consistency that containers do not need.
const overlayOptions = "index=off"

// forceFsconfig makes mountOverlay use the fsopen/fsconfig path even when
// the options fit a mount(2) call (tests).
var forceFsconfig bool

// mountOverlay mounts o at o.Target, creating the directories that are
// missing, after removing a mount a dead monitor may have left there.
func mountOverlay(o Overlay) error {
	if len(o.Lower) == 0 {
		return errors.New("rootfs: no image layers to mount")
	}
	for _, p := range append(append([]string{}, o.Lower...), o.Upper, o.Work, o.Target) {
		if p == "" || strings.ContainsAny(p, ",:\\") {
			return fmt.Errorf("rootfs: unusable overlay directory %q", p)
		}
	}
	for _, d := range []string{o.Upper, o.Work, o.Target} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("rootfs: %w", err)
		}
	}
	unmountAll(o.Target)
	data := "lowerdir=" + strings.Join(o.Lower, ":") + ",upperdir=" + o.Upper + ",workdir=" + o.Work + "," + overlayOptions
	if len(data) < os.Getpagesize()-1 && !forceFsconfig {
		if err := unix.Mount("overlay", o.Target, "overlay", 0, data); err != nil {
			return fmt.Errorf("rootfs: mount overlay at %s: %w", o.Target, err)
		}
		return nil
	}
	// Too many layers for the one page of options mount(2) takes: give
	// them one by one (lowerdir+, Linux 6.8).
	if err := mountOverlayFsconfig(o); err != nil {
		return fmt.Errorf("rootfs: mount overlay at %s (%d layers): %w", o.Target, len(o.Lower), err)
	}
	return nil
}

func mountOverlayFsconfig(o Overlay) error {
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen: %w", err)
	}
	defer unix.Close(fsfd)
	set := func(k, v string) error {
		if err := unix.FsconfigSetString(fsfd, k, v); err != nil {
			return fmt.Errorf("fsconfig %s=%s: %w", k, v, err)
		}
		return nil
	}
	for _, l := range o.Lower {
		if err := set("lowerdir+", l); err != nil {
			return err
		}
	}
	if err := set("upperdir", o.Upper); err != nil {
		return err
	}
	if err := set("workdir", o.Work); err != nil {
		return err
	}
	for _, opt := range strings.Split(overlayOptions, ",") {
		k, v, _ := strings.Cut(opt, "=")
		if err := set(k, v); err != nil {
			return err
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fmt.Errorf("fsconfig create: %w", err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("fsmount: %w", err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, o.Target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}

// unmountRootfs unmounts target, lazily if it is busy.
func unmountRootfs(target string) error {
	err := unix.Unmount(target, 0)
	if errors.Is(err, unix.EBUSY) {
		err = unix.Unmount(target, unix.MNT_DETACH)
	}
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("rootfs: unmount %s: %w", target, err)
	}
	return nil
}

// unmountAll lazily removes whatever is mounted at target (stacked mounts
// included); it stops at the first error, EINVAL once nothing is left.
func unmountAll(target string) {
	for range 16 {
		if unix.Unmount(target, unix.MNT_DETACH) != nil {
			return
		}
	}
}
