package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the small programs the test hosts run: a
// stand-in for Mattermost that reports who connected, a client, and a
// gossip agent (memberlist, as Mattermost's clustering). The
// test starts them inside a host's namespaces with helperEnv set.
const helperEnv = "FLEETGEN_E2E_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "listen":
		os.Exit(listen(os.Args[1:]))
	case "dial":
		os.Exit(dial(os.Args[1:]))
	case "gossip":
		os.Exit(gossipAgent(os.Args[1:]))
	default:
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// listen stands in for Mattermost: on each "tcp:ADDR:PORT",
// "udp:ADDR:PORT" and "unix:PATH" (such as Mattermost's local mode
// socket) it answers every connection or datagram with one line
// naming the port, the peer address and, for TCP, the program that owns
// the peer's socket on this host (as ss sees it), then closes.
func listen(args []string) int {
	for _, a := range args {
		proto, addr, _ := strings.Cut(a, ":")
		switch proto {
		case "tcp":
			l, err := net.Listen("tcp4", addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			go serveTCP(l)
		case "unix":
			l, err := net.Listen("unix", addr)
			if err == nil {
				err = os.Chmod(addr, 0o666)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			go serveTCP(l)
		case "udp":
			pc, err := net.ListenPacket("udp4", addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			go serveUDP(pc)
		}
	}
	fmt.Println("listening")
	select {}
}

func serveTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			fmt.Fprintf(c, "port=%s from=%s proc=%s\n", port(c.LocalAddr()), host(c.RemoteAddr()), owner(c.RemoteAddr().String()))
		}()
	}
}

func serveUDP(pc net.PacketConn) {
	buf := make([]byte, 512)
	for {
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		fmt.Fprintf(os.Stderr, "udp from %s\n", from)
		pc.WriteTo([]byte(fmt.Sprintf("port=%s from=%s proc=udp\n", port(pc.LocalAddr()), host(from))), from)
	}
}

func host(a net.Addr) string {
	if a.Network() == "unix" {
		return "unix"
	}
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

func port(a net.Addr) string {
	if a.Network() == "unix" {
		return a.String()
	}
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

var ssUser = regexp.MustCompile(`users:\(\("([^"]+)"`)

// owner is the program owning the TCP socket bound to addr on this host.
func owner(addr string) string {
	out, _ := exec.Command("ss", "-Htnp", "src", addr).Output()
	if m := ssUser.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "unknown"
}

// dial connects to "tcp:ADDR:PORT" or "udp:ADDR:PORT", prints the first
// line it gets back and exits 0, or exits 1 when none comes within the
// timeout (the second argument, a Go duration).
func dial(args []string) int {
	proto, addr, _ := strings.Cut(args[0], ":")
	timeout, err := time.ParseDuration(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := net.DialTimeout(proto+"4", addr, timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if proto == "udp" {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Print(line)
	return 0
}
