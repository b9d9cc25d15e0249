// The etcd server version we report in Status. Clients gate features on it, and our semantics follow
// etcd 3.4 (the reference the differential tests run against), so this is the one place to change it.
export const ETCD_API_VERSION = '3.4.23';
