// grpc-js asks net.isIPv6 about every address it dials. Node answers with a very large regular expression
// whose first use compiles it: ~8 ms on our CI machine, a tenth of Node's whole start-up. An IPv6 literal
// always contains a colon, so IPv4 addresses and host names are answered without it; nothing else changes.
import net from 'node:net';

const fullIsIPv6 = net.isIPv6;
net.isIPv6 = (input: string) => typeof input === 'string' && input.includes(':') && fullIsIPv6(input);
