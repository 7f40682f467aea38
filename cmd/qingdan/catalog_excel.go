package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catweb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

func init() {
	register(&command{name: "export-list", summary: "qingdan.summary.export_list", run: runExportList})
	register(&command{name: "import-list", summary: "qingdan.summary.import_list", run: runImportList})
}

// runExportList writes a body's current list (or, with --template, the empty
// template) in the template of docs/catalog-excel.md.
func runExportList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan export-list", flag.ContinueOnError)
	cfg := dbFlags(fs)
	body := fs.String("body", "", t("qingdan.flag.body"))
	out := fs.String("o", "", t("qingdan.flag.o"))
	template := fs.Bool("template", false, t("qingdan.flag.template"))
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{t("qingdan.export_list_takes_no_arguments")}
	}
	var buf bytes.Buffer
	name := "权责清单模板.xlsx"
	if *template {
		if err := catxlsx.Export(&buf, nil, catxlsx.ExportOptions{Title: t("qingdan.list_template")}); err != nil {
			return err
		}
	} else {
		if *body == "" {
			return usageError{t("qingdan.body_is_required_or_template")}
		}
		db, err := cfg.open(ctx)
		if err != nil {
			return err
		}
		svc := catxlsx.NewService(newCatalogue(db, caldb.New(db)))
		b, err := excelBody(ctx, db, svc, *body)
		if err == nil {
			name = svc.FileName(b)
			err = svc.Export(ctx, b.ID, &buf)
		}
		if err := closeDB(db, err); err != nil {
			return describe(err)
		}
	}
	return writeOut(*out, name, buf.Bytes(), stdout, stderr)
}

func writeOut(out, name string, data []byte, stdout, stderr io.Writer) error {
	if out == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if out == "" {
		out = name
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "OK: %s (%d bytes)\n", out, len(data))
	return nil
}

// runImportList checks a workbook and, unless --dry-run, creates the draft
// adjustment as a list liaison (--as), with no changes when the file
// matched the list (issue #4). Errors are printed one per line as
// sheet!cell: message (in the command line's language), and nothing is stored.
func runImportList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qingdan import-list", flag.ContinueOnError)
	cfg := dbFlags(fs)
	body := fs.String("body", "", t("qingdan.flag.body_2"))
	as := fs.String("as", "", t("qingdan.flag.as"))
	dry := fs.Bool("dry-run", false, t("qingdan.flag.dry_run"))
	var in catxlsx.DraftInput
	fs.StringVar(&in.Title, "title", "", t("qingdan.flag.title"))
	reason := fs.String("reason", "", t("qingdan.flag.reason"))
	fs.StringVar(&in.BasisTitle, "basis-title", "", t("qingdan.flag.basis_title"))
	fs.StringVar(&in.BasisDocNo, "basis-doc-no", "", t("qingdan.flag.basis_doc_no"))
	fs.StringVar(&in.BasisIssued, "basis-issued", "", t("qingdan.flag.basis_issued"))
	fs.StringVar(&in.Note, "note", "", t("qingdan.flag.note"))
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: qingdan import-list --body CODE --as LOGIN FILE.xlsx"}
	}
	if *body == "" || (*as == "" && !*dry) {
		return usageError{t("qingdan.body_and_as_are_required_as")}
	}
	in.Reason = catalog.Reason(*reason)
	if in.Reason != "" && !in.Reason.Valid() {
		return usageError{t("qingdan.reason_is_not_a_reason", *reason)}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return errors.Join(err, f.Close())
	}
	last := time.Now()
	book, err := catxlsx.ParseBook(f, st.Size(), func(done, total int) {
		if now := time.Now(); now.Sub(last) >= progressEvery {
			last = now
			fmt.Fprintf(stderr, "import-list: %d/%d rows\n", done, total)
		}
	})
	if cerr := f.Close(); err == nil && cerr != nil {
		return cerr
	}
	if err != nil {
		return describe(err)
	}
	db, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	err = importBook(ctx, db, *body, *as, *dry, book, in, stdout)
	return describe(closeDB(db, err))
}

func importBook(ctx context.Context, db *store.DB, body, as string, dry bool, book *catxlsx.Book, in catxlsx.DraftInput, stdout io.Writer) error {
	svc := catxlsx.NewService(newCatalogue(db, caldb.New(db)))
	b, err := excelBody(ctx, db, svc, body)
	if err != nil {
		return err
	}
	var pv *catxlsx.Preview
	if dry {
		if pv, err = svc.Previewed(ctx, b.ID, book); err != nil {
			return err
		}
		printChanges(stdout, pv)
		return nil
	}
	p, err := principalOf(ctx, db, as)
	if err != nil {
		return err
	}
	adj, pv, err := svc.CreateDraft(ctx, p, b.ID, book, in)
	if err != nil {
		return err
	}
	printChanges(stdout, pv)
	fmt.Fprintln(stdout, "OK: "+t("qingdan.draft_adjustment", adj.ID, adj.Title, adj.Stage, len(adj.Changes)))
	if len(adj.Changes) == 0 {
		fmt.Fprintln(stdout, t("qingdan.the_draft_only_records_this_comparison"))
	}
	return nil
}

func printChanges(w io.Writer, pv *catxlsx.Preview) {
	if len(pv.Changes) == 0 {
		fmt.Fprintln(w, t("qingdan.no_differences"))
		return
	}
	for i, c := range pv.Changes {
		kind := ""
		if i < len(pv.Proposal) {
			kind = string(pv.Proposal[i].Kind)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.BaseCode, kind, c.Name, strings.Join(c.Paths, ","))
	}
}

// excelBody finds a body by its code or numeric ID.
func excelBody(ctx context.Context, db *store.DB, svc *catxlsx.Service, ref string) (catxlsx.BodyInfo, error) {
	var id int64
	err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = ?`, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		n, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil {
			return catxlsx.BodyInfo{}, apperr.NotFoundf("qingdan.no_body", ref)
		}
		id, err = n, nil
	}
	if err != nil {
		return catxlsx.BodyInfo{}, err
	}
	return svc.Body(ctx, id)
}

// principalOf is the staff member behind a login, as the web session would
// see them.
func principalOf(ctx context.Context, db *store.DB, login string) (access.Principal, error) {
	var account, staff int64
	err := db.QueryRow(ctx, `SELECT id, staff_id FROM accounts WHERE login = ? AND active`, strings.ToLower(login)).Scan(&account, &staff)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Principal{}, apperr.NotFoundf("qingdan.no_active_account", login)
	}
	if err != nil {
		return access.Principal{}, err
	}
	p, err := org.NewService(db).StaffPrincipal(ctx, staff)
	if err != nil {
		return access.Principal{}, err
	}
	p.AccountID, p.Login = account, strings.ToLower(login)
	return p, nil
}

func closeDB(db *store.DB, err error) error {
	if err != nil {
		return closeAfter(db, err)
	}
	return db.Close()
}

// describe prints an import's cell errors one per line.
func describe(err error) error {
	var l apperr.List
	if !errors.As(err, &l) {
		if e := (*apperr.Error)(nil); errors.As(err, &e) {
			return errors.New(e.Message(lang))
		}
		return err
	}
	var b strings.Builder
	b.WriteString(t("qingdan.errors_nothing_imported", len(l)))
	for _, e := range l {
		fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Message(lang))
	}
	return errors.New(b.String())
}

// catalogRoutes are the list's API (items, adjustments, the Excel
// export and import) and its staff pages over the catalogue service, for
// web.Deps.Routes (serve): parses run at most two at a time and their
// results are kept 30 minutes for the preview.
func catalogRoutes(cat *catdb.Service, frame *web.Frame) ([]httpx.Route, error) {
	return catweb.Routes(cat, catweb.Options{Frame: frame, Excel: catxlsx.NewService(cat), Jobs: catxlsx.NewJobs(2, 30*time.Minute),
		HandOverImport: web.HandOverImport})
}
