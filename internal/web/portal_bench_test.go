package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/gctune"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// The portal benchmark behind BENCHMARKS.md (issue #4, "Done when"): with
// 100,000 published items in the store, public search p99 ≤ 20 ms and the
// item page p99 ≤ 10 ms over HTTP on 127.0.0.1 at 50 concurrent clients, on
// SQLite and PostgreSQL (QINGDAN_TEST_POSTGRES). Run:
//
//	go test -run '^$' -bench BenchmarkPortal -benchtime 5000x ./internal/web/
//
// Loading happens only here (benchmarks run only under -bench), once per
// engine, outside the timer.

const (
	benchItems   = 100_000
	benchClients = 50
)

// benchPlaces prefix the demo's item names so 100,000 names are distinct
// and realistic (a place, then a real item name).
var benchPlaces = strings.Fields("东城 西城 南关 北关 青山 白沙 东风路 河滨 新华 人民路 解放路 建设路 光明 幸福 和平 文化路 花园 金水 二七 中原 " +
	"惠济 管城 上街 荥阳 新郑 登封 新密 巩义 中牟 航空港 高新 经开 郑东 龙湖 象湖 如意 北龙湖 须水 石佛 沟赵 " +
	"柳林 老鸦陈 花园口 刘寨 古荥 长兴路 大河路 新城 迎宾路 江山路")

// loadBenchItems bulk-loads n published items into the real catalogue
// schema (catalog_items, catalog_versions with canonical content and hash)
// spread over org's demo bodies, in transactions of 1,000 items, then builds
// the search index with catsearch.Rebuild. It bypasses the publication
// procedure (no events): the benchmark measures reads.
func loadBenchItems(b testing.TB, db *store.DB, n int) (ids []int64, codes []string) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		b.Fatal(err)
	}
	type body struct {
		id   int64
		name string
	}
	var bodies []body
	rows, err := db.Query(ctx, `SELECT id, name FROM bodies ORDER BY path LIMIT 3`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var x body
		if err := rows.Scan(&x.id, &x.name); err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, x)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	d, err := catalog.LoadDemo()
	if err != nil {
		b.Fatal(err)
	}
	var templates []catalog.ItemVersion
	for _, db := range d.Bodies {
		templates = append(templates, d.Current(db.ID)...)
	}
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	const chunk = 1000
	ids = make([]int64, 0, n)
	codes = make([]string, 0, n)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		var items, versions []any
		for i := lo; i < hi; i++ {
			v := templates[i%len(templates)].Clone()
			bd := bodies[i%len(bodies)]
			info, _ := v.Category.Info()
			v.BaseCode = fmt.Sprintf("%s%08d", info.Code, i)
			v.ImplCode = v.Body.CreditCode + v.BaseCode
			v.Name = benchPlaces[(i/len(templates))%len(benchPlaces)] + v.Name
			v.Body.Name = bd.name
			v.Version, v.Status, v.ValidFrom, v.ValidTo = 1, catalog.StatusPublished, at, nil
			v.PublishedAt = &at
			content, err := catalog.CanonicalJSON(v)
			if err != nil {
				b.Fatal(err)
			}
			sum := sha256.Sum256(content)
			id := int64(i + 1)
			ids = append(ids, id)
			codes = append(codes, v.BaseCode)
			standing := catalog.Listed
			if i%50 == 0 {
				standing = catalog.Suspended // some suspended items, as in life (C7)
				v.Status = catalog.StatusSuspended
			}
			us := store.Micros(at)
			items = append(items, id, bd.id, v.BaseCode, v.ImplCode, v.Name, string(v.Category), v.Unit, string(standing), 1, us, us)
			versions = append(versions, id, id, bd.id, 1, string(v.Status), us, nil, us, nil, string(content), hex.EncodeToString(sum[:]))
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO catalog_items (id, body_id, base_code, impl_code, name, category, unit, standing, version, created_at, updated_at) VALUES `+
				placeholders(hi-lo, 11), items...); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO catalog_versions (id, item_id, body_id, version, status, valid_from, valid_to, published_at, adjustment_id, content, content_hash) VALUES `+
				placeholders(hi-lo, 11), versions...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(start)
	indexed, err := catsearch.Rebuild(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	if indexed != n {
		b.Fatalf("indexed %d of %d items", indexed, n)
	}
	b.Logf("%s: loaded %d items in %v, indexed in %v", db.Dialect(), n, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	return ids, codes
}

// placeholders renders rows of n "?" each: (?,?),(?,?)…
func placeholders(rows, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

// benchQueries is what citizens type: abbreviations, item names and parts
// of them, places with a kind of item, codes and code prefixes.
var benchQueries = []string{"低保", "残疾证", "食品经营许可", "烟草", "宅基地", "临时救助", "婚姻登记", "东城 许可", "白沙 低保",
	"再生育审批", "城市建筑垃圾处置核准", "0100", "0500001", "01000000042", "社会救助", "养老", "消防", "执法 检查"}

// The collector as the portal's runs were measured since 2026-11-23: GOGC
// 1600 with a 2 GiB soft limit, set here explicitly (qingdan serve runs
// Go's defaults unless told otherwise; --gc-percent and --memory-limit-mb
// set these).
const (
	benchGCPercent     = 1600
	benchMemoryLimitMB = 2048
)

func BenchmarkPortal(b *testing.B) {
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)
	b.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	gc := gctune.Apply(benchGCPercent, benchMemoryLimitMB)
	b.Logf("GOGC %d, memory limit %d MiB", gc.Percent, gc.LimitBytes>>20)
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			ids, codes := loadBenchItems(b, db, benchItems)
			portal := web.NewPortal(db, catdb.New(db))
			// cached: the server as `qingdan serve` runs it, with its page
			// caches (after the warm-up, every item page in memory);
			// started: a server just started, its memory empty, so nearly
			// every item page is read and rendered on its first view;
			// cold: the same portal hidden behind an interface without
			// PortalGenerations, so nothing is cached and every request
			// reads the database and renders.
			for _, mode := range []struct {
				name   string
				portal func() web.Portal
			}{{"cached", func() web.Portal { return portal }},
				{"started", func() web.Portal { return web.NewPortal(db, catdb.New(db)) }},
				{"cold", func() web.Portal { return struct{ web.Portal }{portal} }}} {
				h := portalServerWith(b, db, mode.portal())
				srv := httptest.NewServer(h)
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}, Timeout: 30 * time.Second}
				search := func(rng *rand.Rand) string {
					return "/portal/search?q=" + url.QueryEscape(benchQueries[rng.IntN(len(benchQueries))])
				}
				// distinct: queries that rarely repeat — a random item's code
				// or a prefix of it (6 to 10 digits), or a place with a citizen's query,
				// on page 1 or 2 — so the cache can hardly help.
				distinct := func(rng *rand.Rand) string {
					var q string
					if rng.IntN(2) == 0 {
						c := codes[rng.IntN(len(codes))]
						q = c[:len(c)-rng.IntN(5)]
					} else {
						q = benchPlaces[rng.IntN(len(benchPlaces))] + " " + benchQueries[rng.IntN(len(benchQueries))]
					}
					return fmt.Sprintf("/portal/search?q=%s&page=%d", url.QueryEscape(q), 1+rng.IntN(2))
				}
				item := func(rng *rand.Rand) string {
					return fmt.Sprintf("/portal/items/%d", ids[rng.IntN(len(ids))])
				}
				// The target load, then one client alone: its latency is the
				// service time without queueing, which tells the code's cost
				// from the machine's (two cores shared with other work).
				if mode.name == "cached" {
					// A running portal has its citizens' frequent queries in
					// its cache: ask each once, untimed, before measuring
					// (entries still expire after the TTL while measuring).
					for _, q := range benchQueries {
						if err := fetch(client, srv.URL+"/portal/search?q="+url.QueryEscape(q)); err != nil {
							b.Fatalf("warm-up %s: %v", q, err)
						}
					}
				}
				if mode.name == "cached" {
					// A running portal has each item page seen at least once
					// since it last changed: view each once, untimed, so that
					// it is in memory. Citizens spread over 100,000 items.
					t0 := time.Now()
					warmItems(b, client, srv.URL, ids)
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					pages, bytes := web.ItemPageMemory(h)
					b.Logf("%s: %d item pages viewed once in %v, %d in memory (%d MiB of HTML); heap in use %d MiB",
						db.Dialect(), len(ids), time.Since(t0).Round(time.Millisecond), pages, bytes>>20, ms.HeapInuse>>20)
					if dir := os.Getenv("QINGDAN_BENCH_CPUPROFILE"); dir != "" {
						f, err := os.Create(filepath.Join(dir, fmt.Sprint(db.Dialect())+"-heap.pprof"))
						if err == nil {
							err = pprof.WriteHeapProfile(f)
							if cerr := f.Close(); err == nil {
								err = cerr
							}
						}
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				// Each load is measured twice in a row: with Go's net/http
				// client, and with a lean HTTP/1.1 client as load generators
				// like wrk are (wireClient). Both send real requests over
				// TCP and read whole answers; they differ in the client's own
				// CPU, which on this machine takes the server's two cores.
				// A started server is started anew for every measured run:
				// a second run would find the first's pages in memory.
				server := func(b *testing.B) *httptest.Server {
					if mode.name != "started" {
						return srv
					}
					s := httptest.NewServer(portalServerWith(b, db, mode.portal()))
					b.Cleanup(s.Close)
					return s
				}
				clients := func(n int, next func(*rand.Rand) string) func(*testing.B) {
					return func(b *testing.B) {
						b.Run("client=nethttp", func(b *testing.B) {
							s := server(b)
							runClients(b, func() getter { return netHTTPClient{client, s.URL} }, n, next)
						})
						b.Run("client=wire", func(b *testing.B) {
							s := server(b)
							runClients(b, func() getter { return &wireClient{addr: s.Listener.Addr().String()} }, n, next)
						})
					}
				}
				if mode.name == "started" {
					b.Run(mode.name+"/item/clients=50", clients(benchClients, item))
					srv.Close()
					continue
				}
				b.Run(mode.name+"/search/clients=50", clients(benchClients, search))
				if mode.name == "cached" {
					b.Run(mode.name+"/search-distinct/clients=50", clients(benchClients, distinct))
				}
				b.Run(mode.name+"/item/clients=50", clients(benchClients, item))
				b.Run(mode.name+"/search/clients=1", clients(1, search))
				b.Run(mode.name+"/item/clients=1", clients(1, item))
				srv.Close()
			}
		})
	}
}

// fetch GETs u and reads the whole answer, which must be 200 OK.
func fetch(client *http.Client, u string) error {
	res, err := client.Get(u)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, res.Body)
	if cerr := res.Body.Close(); err == nil {
		err = cerr
	}
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	return err
}

// warmItems views every item page once, from a few clients.
func warmItems(b *testing.B, client *http.Client, base string, ids []int64) {
	var (
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(ids)); i = next.Add(1) - 1 {
				if err := fetch(client, fmt.Sprintf("%s/portal/items/%d", base, ids[i])); err != nil {
					b.Errorf("warm-up item %d: %v", ids[i], err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// profileCPU writes a CPU profile of the measured part of a run, clients
// and server together, to $QINGDAN_BENCH_CPUPROFILE/<benchmark>.pprof when
// that variable names a directory (go test's -cpuprofile would include the
// minutes of loading).
func profileCPU(b *testing.B) (stop func()) {
	dir := os.Getenv("QINGDAN_BENCH_CPUPROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, strings.NewReplacer("/", "_", "=", "").Replace(b.Name())+".pprof"))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}

// getter GETs a path and reads the whole answer, which must be 200 OK;
// one per client.
type getter interface {
	get(path string) error
	close()
}

// netHTTPClient is a client of Go's net/http, sharing its transport's
// keep-alive connections.
type netHTTPClient struct {
	c    *http.Client
	base string
}

func (c netHTTPClient) get(path string) error { return fetch(c.c, c.base+path) }
func (c netHTTPClient) close()                {}

// wireClient is a lean HTTP/1.1 client on one keep-alive connection, as
// load generators are: it writes the request, reads the status line and
// the headers, and reads the body (Content-Length bytes, or chunks: the
// rendered pages of the cold mode are sent chunked), which must end the
// page (</html>).
type wireClient struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
	req  []byte
	body []byte
}

func (c *wireClient) get(path string) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 32<<10)
	}
	c.req = append(append(append(append(c.req[:0], "GET "...), path...), " HTTP/1.1\r\nHost: "...), c.addr...)
	c.req = append(c.req, "\r\nUser-Agent: qingdan-bench\r\nAccept: text/html\r\n\r\n"...)
	err := c.exchange()
	if err != nil {
		c.close() // the next request starts on a new connection
	}
	return err
}

func (c *wireClient) exchange() error {
	if _, err := c.conn.Write(c.req); err != nil {
		return err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", bytes.TrimSpace(line))
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return fmt.Errorf("header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if !bytes.EqualFold(value, []byte("chunked")) {
				return fmt.Errorf("Transfer-Encoding %q", value)
			}
			chunked = true
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		}
	}
	switch {
	case chunked:
		buf := bytes.NewBuffer(c.body[:0])
		if _, err := buf.ReadFrom(httputil.NewChunkedReader(c.br)); err != nil {
			return err
		}
		c.body = buf.Bytes()
		// The trailer: none but its closing empty line.
		if line, err := c.br.ReadSlice('\n'); err != nil || len(bytes.TrimSpace(line)) != 0 {
			return fmt.Errorf("trailer %q: %v", line, err)
		}
	case length < 0:
		return fmt.Errorf("no Content-Length")
	default:
		c.body = slices.Grow(c.body[:0], length)[:length]
		if _, err := io.ReadFull(c.br, c.body); err != nil {
			return err
		}
	}
	if !bytes.HasSuffix(bytes.TrimSpace(c.body), []byte("</html>")) {
		return fmt.Errorf("body of %d bytes does not end the page", len(c.body))
	}
	if closing {
		c.close()
	}
	return nil
}

func (c *wireClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// runClients makes b.N GET requests from n concurrent clients, each sending
// its next request as soon as the previous answer is read, and reports the
// latency percentiles in milliseconds.
func runClients(b *testing.B, newClient func() getter, n int, next func(*rand.Rand) string) {
	var (
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
		work = make(chan int, b.N)
	)
	var seen sync.Map // paths asked before in this run: at most these can be cache hits
	var repeats atomic.Int64
	for i := range b.N {
		work <- i
	}
	close(work)
	stop := profileCPU(b)
	defer stop()
	b.ResetTimer()
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := newClient()
			defer client.close()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			mine := make([]time.Duration, 0, b.N/n+1)
			for range work {
				u := next(rng)
				if _, dup := seen.LoadOrStore(u, true); dup {
					repeats.Add(1)
				}
				t0 := time.Now()
				err := client.get(u)
				d := time.Since(t0)
				if err != nil {
					b.Errorf("%s: %v", u, err)
					return
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(100*float64(repeats.Load())/float64(len(lat)), "repeat_%")
}

// The benchmark's lean client reads whole answers, sized or chunked, over
// one connection, and refuses what is not a whole 200 page.
func TestWireClient_readsWholePagesAndRefusesOthers(t *testing.T) {
	page := "<!doctype html><p>" + strings.Repeat("清单", 3000) + "</p></html>\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sized":
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			io.WriteString(w, page)
		case "/chunked":
			for part := range slices.Chunk([]byte(page), 1000) {
				w.Write(part)
				w.(http.Flusher).Flush()
			}
		case "/cut":
			io.WriteString(w, page[:len(page)/2])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &wireClient{addr: srv.Listener.Addr().String()}
	defer c.close()
	for range 3 {
		for _, path := range []string{"/sized", "/chunked"} {
			if err := c.get(path); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if string(c.body) != page {
				t.Fatalf("%s: got %d bytes, want the %d of the page", path, len(c.body), len(page))
			}
		}
	}
	for _, path := range []string{"/cut", "/missing"} {
		if err := c.get(path); err == nil {
			t.Errorf("%s: no error", path)
		}
	}
	if err := c.get("/sized"); err != nil {
		t.Fatalf("after errors, on a new connection: %v", err)
	}
}
