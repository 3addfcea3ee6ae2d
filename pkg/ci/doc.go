// Package ci reads what a CI system says of the build it runs: the CI's
// name, the branch or tag, the revision and the build id, from GitHub
// Actions', GitLab's, Jenkins', Bitbucket's, Azure Pipelines' and
// CircleCI's own variables, and the pull request, release and initiator
// behind it (Details, with GitHub's event payload); and writes a step's
// results where GitHub Actions reads them ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY). hoist uses it
// when git cannot say (a detached HEAD, no repository). Codefresh's CF_*
// variables are read by pkg/pipeline itself.
//
// It is a leaf: it imports no other hoist package.
package ci
