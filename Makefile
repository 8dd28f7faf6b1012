# The front door. `make dev` runs the shop on this machine; `make test` passes every test.
GO        ?= go
STACK     ?= dev
FORMAT    ?= text
BASE      ?= origin/main
GOLANGCI  ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

.PHONY: all dev build lambda site test test-app test-infra bench drill lint fmt plan plan-update plan-diff clean

all: build

## build: the shop binary at bin/shop
build:
	$(GO) build -o bin/shop ./app/cmd/shop

## lambda: the Lambda function zip, bin/lambda/shop.zip (bootstrap for linux/arm64, provided.al2023)
# lambda.norpc drops the go1.x RPC mode the provided runtimes never use; -trimpath and no VCS
# stamp keep the binary, and so the zip's hash, the same for the same source.
lambda:
	@mkdir -p bin/lambda
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags '-s -w' -o bin/lambda/bootstrap ./app/cmd/shop
	$(GO) run ./scripts/lambdazip -o bin/lambda/shop.zip bin/lambda/bootstrap
	@ls -l bin/lambda/shop.zip

## site: bundle the storefront into site/dist (content-hashed assets)
site:
	$(GO) run ./site/build

## dev: build the site and the service, then run the shop on http://localhost:8080
dev: site build
	./scripts/dev

## test: every test (service, site incl. headless Chromium, components, stacks, policies)
# Then the race detector over the code whose point is concurrency: the search copy refreshing under
# searches, the work marker's conditional writes.
test: site
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...
	$(GO) test -count=1 -race -run 'TestSearchIndexSearchesWhileItRefreshes|TestMarker' ./app/postgres/ ./app/wake/

## test-app: the service and site tests only (fast loop, no Pulumi SDK compile)
test-app: site
	$(GO) test -count=1 ./app/... ./site/... ./internal/pgtest/...

## test-infra: components, stacks, plan and policies
test-infra:
	$(GO) test -count=1 ./components/... ./stacks/... ./internal/pulumimock/... ./internal/cost/... ./plan/... ./policies/...

## bench: the hot-SKU order benchmark, the catalog read benchmark, the hot-product cache benchmark, the search benchmark and the registration burst (memory, health check)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./app/bench/

## drill: the fault drill: orders through a PostgreSQL restart and a SIGKILL of the service (not in test)
# It restarts the local PostgreSQL. Knobs as flags, e.g. DRILL_FLAGS="-buyers 200 -round 10s"; see app/README.md.
drill: build
	$(GO) run ./app/drill $(DRILL_FLAGS)

## lint: golangci-lint v2 with the repository's .golangci.yml
lint:
	$(GO) run $(GOLANGCI) run ./...

## fmt: gofmt and go mod tidy
fmt:
	gofmt -w $$(git ls-files '*.go')
	$(GO) mod tidy

## plan: offline plan of STACK (dev|prod|lite) under the recording mock; FORMAT=text|json (a Lambda stack builds its zip first: make lambda)
# The site build reports to stderr here, so `make plan FORMAT=json > plan.json` writes only the plan.
plan:
	@$(MAKE) --no-print-directory site >&2
	@if grep -q '^ *shopstack:apiCompute: *lambda' Pulumi.$(STACK).yaml 2>/dev/null; then $(MAKE) --no-print-directory lambda >&2; fi
	@$(GO) run ./plan/cmd/plan -stack $(STACK) -format $(FORMAT)

## plan-update: regenerate the committed golden plans (plan/testdata/plan.<stack>.json; they upload plan/testdata/site, not site/dist)
plan-update:
	$(GO) run ./plan/cmd/plan -update

## plan-diff: markdown diff of two plan JSON files: make plan-diff OLD=a.json NEW=b.json
plan-diff:
	$(GO) run ./plan/cmd/plan diff $(OLD) $(NEW)

clean:
	rm -rf bin site/dist artifacts
