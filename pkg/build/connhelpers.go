package build

// BuildKit's own connection helpers, so --builder takes every address
// buildctl takes: kube-pod:// (kubectl exec ... buildctl dial-stdio),
// docker-container://, podman-container://, nerdctl-container:// and
// ssh://, besides unix:// and tcp://.
import (
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
)
