//go:build s3

package main

// s3:// attachment buckets (S3-compatible storage: MinIO, OSS, COS …) with
// `go build -tags s3`: the AWS SDK adds about 11 MB and 20 modules to the
// binary, so the default build links only file:// buckets.
import _ "gocloud.dev/blob/s3blob"
