// Command lambdazip packs the Lambda function's executable into the zip Lambda deploys:
//
//	go run ./scripts/lambdazip -o bin/lambda/shop.zip bin/lambda/bootstrap
//
// The entry is named bootstrap (what the provided.al2023 runtime starts), mode 0755 (Lambda
// runs it as is), with a fixed time stamp, so the same binary always gives the same zip and the
// same hash: the stack's code hash changes only when the code does. Go's archive/zip, so the
// build needs no zip program.
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	out := flag.String("o", "", "the zip to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lambdazip -o shop.zip <bootstrap executable>")
		os.Exit(2)
	}
	if err := pack(*out, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}

func pack(out, exe string) (err error) {
	in, err := os.Open(exe) //nolint:gosec // G304: the path is the command's own argument (the Makefile's)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", exe)
	}
	f, err := os.Create(out) //nolint:gosec // G304: as above
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	zw := zip.NewWriter(f)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate,
		Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return err
	}
	return zw.Close()
}
