// The entry of the bundled CLI (scripts/bundle.mjs). The gRPC client is a separate bundle file, loaded only by
// commands that talk to a server; it shares this bundle's client module (RpcError and friends), so errors
// it raises are the classes main() and the commands check for.
export { main } from './main.js';
export * as clientApi from '../client/client.js';
