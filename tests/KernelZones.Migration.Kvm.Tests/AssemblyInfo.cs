// The guests are emulated on two shared cores; tests that measure heartbeats and dirty rates run one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
