# Shared by run.sh and test.sh: find Go, and install the Debian/Ubuntu
# packages berth needs when they are missing (or say exactly which).

# berth_go puts Go on PATH (the official tarball lives in /usr/local/go).
berth_go() {
	export PATH=$PATH:/usr/local/go/bin
	if ! command -v go >/dev/null; then
		echo "berth needs Go 1.26 or newer (https://go.dev/dl/), on PATH or in /usr/local/go" >&2
		exit 1
	fi
}

# berth_packages PKG... installs the packages that are not installed yet,
# with apt-get when this is root on Debian or Ubuntu; otherwise it names
# them and stops.
berth_packages() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "berth needs these packages: ${missing[*]}: install them (sudo apt-get install -y ${missing[*]}) or run this script as root" >&2
		exit 1
	fi
	echo "installing ${missing[*]}" >&2
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# berth_root stops unless this is root: the engine needs it for now.
berth_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "berth needs root for now (rootless mode comes later): run it with sudo: sudo bash $0" >&2
		exit 1
	fi
}

# The build: cgo (gcc), libseccomp through pkg-config for runc's seccomp
# support (the seccomp tag), and the commit stamped when in a git clone;
# at run time iptables, for bridge networks (forwarding, NAT, ports).
BERTH_BUILD_PACKAGES=(gcc pkg-config libseccomp-dev iptables)
BERTH_BUILD_FLAGS=(-tags seccomp -buildvcs=auto)
