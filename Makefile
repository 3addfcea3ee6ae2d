# hoist's two set-up commands for a new machine (run as root):
#   make demo   installs the real stack, builds hoist, runs the quickstart
#   make test   installs the real stack and runs every test
# make test-short runs the fast tier: no root, no daemon, no registry process.
GO ?= go

.PHONY: setup build demo test test-short release-check step-image bench

setup:
	./hack/setup.sh

build:
	$(GO) build -o bin/hoist ./cmd/hoist

demo: setup build
	$(GO) run ./internal/cmd/demo -hoist bin/hoist

test: setup
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...
	./hack/release-check.sh

# goreleaser check and a snapshot release of the four binaries.
release-check:
	./hack/release-check.sh

test-short:
	$(GO) vet ./...
	$(GO) test -short -count=1 ./...

# hoist's step image, built by hoist (needs the official BuildKit image).
step-image: setup
	./hack/step-image.sh

# The peers: crane, regctl and skopeo (hack/bench-tools.sh).
bench: setup build
	./hack/bench-tools.sh
	$(GO) run ./internal/cmd/bench -hoist bin/hoist
