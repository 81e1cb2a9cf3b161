package e2e

import (
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/memberlist"
)

// gossipAgent stands in for Mattermost's clustering, which is built on
// hashicorp/memberlist: a memberlist member on the node's address and
// gossip port (TCP and UDP), with the cluster's gossip encryption key. It
// is run as the test binary with helperEnv=gossip:
//
//	NAME ADDRESS PORT KEYHEX MEMBERSFILE PEER...
//
// Every 100 ms it writes the names of the members it sees (alive or
// suspect, not dead), sorted, to MEMBERSFILE; every second it joins the
// PEER addresses it does not see, as Mattermost joins the nodes it finds in
// its database. It answers Mattermost's health check,
// GET http://127.0.0.1:8065/api/v4/system/ping, with {"status":"OK"},
// unless FLEETGEN_E2E_NO_HEALTH is set (a Mattermost stuck starting up).
// Timings are LAN defaults scaled down so a test runs in seconds.
func gossipAgent(args []string) int {
	if len(args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: NAME ADDRESS PORT KEYHEX MEMBERSFILE PEER...")
		return 2
	}
	name, address, membersFile, peers := args[0], args[1], args[4], args[5:]
	port, err := strconv.Atoi(args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	key, err := hex.DecodeString(args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c := memberlist.DefaultLANConfig()
	c.Name = name
	c.BindAddr, c.BindPort = address, port
	c.AdvertiseAddr, c.AdvertisePort = address, port
	c.SecretKey = key
	c.ProbeInterval = 300 * time.Millisecond
	c.ProbeTimeout = 200 * time.Millisecond
	c.SuspicionMult = 2
	c.GossipInterval = 100 * time.Millisecond
	c.PushPullInterval = 2 * time.Second
	c.TCPTimeout = 3 * time.Second
	c.LogOutput = os.Stderr
	m, err := memberlist.Create(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("FLEETGEN_E2E_NO_HEALTH") == "" {
		go serveHealth()
	}
	fmt.Println("gossiping")
	lastJoin := time.Time{}
	for {
		var names []string
		seen := map[string]bool{}
		for _, n := range m.Members() {
			names = append(names, n.Name)
			seen[n.Addr.String()] = true
		}
		slices.Sort(names)
		writeAtomic(membersFile, strings.Join(names, " ")+"\n")
		if time.Since(lastJoin) >= time.Second {
			lastJoin = time.Now()
			var missing []string
			for _, p := range peers {
				if !seen[p] {
					missing = append(missing, net.JoinHostPort(p, strconv.Itoa(port)))
				}
			}
			if len(missing) > 0 {
				go m.Join(missing) // a peer that is out of reach costs TCPTimeout
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func serveHealth() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/system/ping", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"status":"OK"}`)
	})
	if err := http.ListenAndServe("127.0.0.1:8065", mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func writeAtomic(path, data string) {
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(data), 0o644) == nil {
		os.Rename(tmp, path)
	}
}
