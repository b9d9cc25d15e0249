// The etcd server version we report in Status. Clients gate features on it, and our semantics follow
// etcd 3.4 (the reference the differential tests run against), so this is the one place to change it.
export const ETCD_API_VERSION = '3.4.23';
// The cluster-wide API level that goes with it (etcd reports major.minor.0).
export const ETCD_CLUSTER_VERSION = '3.4.0';
