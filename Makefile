# hoist's two set-up commands for a new machine (run as root):
#   make demo   installs the real stack, builds hoist, runs the quickstart
#   make test   installs the real stack and runs every test
GO ?= go

.PHONY: setup build demo test bench

setup:
	./hack/setup.sh

build:
	$(GO) build -o bin/hoist ./cmd/hoist

demo: setup build
	$(GO) run ./internal/cmd/demo -hoist bin/hoist

test: setup
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

bench: setup build
	$(GO) build -o bin/crane github.com/google/go-containerregistry/cmd/crane
	$(GO) run ./internal/cmd/bench -hoist bin/hoist
