# hoist's step image: hoist with buildkitd, buildctl, runc (as
# buildkit-runc, with a runc link) and, in the release base, rootlesskit;
# entrypoint hoist. hoist builds it itself (`make step-image`), so it
# carries hoist's own traceability labels.
#
# BASE is the official rootless BuildKit image of the version go.mod pins
# for releases; the tests build this same file FROM a stand-in made of the
# locally built binaries (internal/stack.StepBase), as no image can be
# downloaded there. The build context holds the hoist binaries at
# bin/<os>_<arch>/hoist (`make step-image` puts them there).
ARG BASE=moby/buildkit:v0.34.2-rootless
FROM ${BASE}
ARG TARGETOS=linux
ARG TARGETARCH=amd64
USER 0:0
COPY bin/${TARGETOS}_${TARGETARCH}/hoist /usr/bin/hoist
RUN [ -e /usr/bin/runc ] || ln -s buildkit-runc /usr/bin/runc
ENTRYPOINT ["/usr/bin/hoist"]
CMD ["--help"]
