// etcd's gRPC services as a @grpc/proto-loader package definition, built from our precompiled schema
// (src/api/proto.ts) with proto-loader's exact (de)serialisation, but without proto-loader's .proto
// parser and descriptor machinery, which cost most of the CLI's start-up.
import type protobuf from 'protobufjs/light.js';
import { protoRoot } from './proto.js';

export interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (message: unknown) => Buffer;
  requestDeserialize: (bytes: Buffer) => unknown;
  responseSerialize: (message: unknown) => Buffer;
  responseDeserialize: (bytes: Buffer) => unknown;
  originalName: string;
}

export type ServiceDefinition = Record<string, MethodDefinition>;

/** proto-loader's options that shape decoded objects; etcd3 and our server pass these. */
export interface ObjectOptions {
  longs?: typeof String | typeof Number;
  enums?: typeof String;
  defaults?: boolean;
  oneofs?: boolean;
}

function serializer(type: protobuf.Type): (message: unknown) => Buffer {
  return (message) => {
    if (Array.isArray(message)) throw new Error(`Failed to serialize message: expected object with ${type.name} structure, got array instead`);
    return type.encode(type.fromObject(message as Record<string, unknown>)).finish() as Buffer;
  };
}

function deserializer(type: protobuf.Type, options: ObjectOptions): (bytes: Buffer) => unknown {
  return (bytes) => type.toObject(type.decode(bytes), options);
}

/** lodash's camelCase on an rpc name, as proto-loader names its aliases: `LeaseGrant` → `leaseGrant`, `HashKV` → `hashKv`. */
function camelCase(name: string): string {
  const words = name.match(/[A-Z]{2,}(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g) ?? [name];
  return words.map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())).join('');
}

/** Every service of the schema, keyed `package.Service` as proto-loader keys them (message types are left out). */
export function etcdPackageDefinition(options: ObjectOptions): Record<string, ServiceDefinition> {
  const definition: Record<string, ServiceDefinition> = {};
  const visit = (namespace: protobuf.NamespaceBase, prefix: string) => {
    for (const object of namespace.nestedArray) {
      const name = prefix ? `${prefix}.${object.name}` : object.name;
      const asService = object as protobuf.Service;
      if (Array.isArray(asService.methodsArray)) {
        const service: ServiceDefinition = {};
        for (const method of asService.methodsArray) {
          const request = method.resolvedRequestType!;
          const response = method.resolvedResponseType!;
          service[method.name] = {
            path: `/${name}/${method.name}`,
            requestStream: Boolean(method.requestStream),
            responseStream: Boolean(method.responseStream),
            requestSerialize: serializer(request),
            requestDeserialize: deserializer(request, options),
            responseSerialize: serializer(response),
            responseDeserialize: deserializer(response, options),
            originalName: camelCase(method.name),
          };
        }
        definition[name] = service;
      } else if ((object as protobuf.Namespace).nestedArray) {
        visit(object as protobuf.Namespace, name);
      }
    }
  };
  visit(protoRoot(), '');
  return definition;
}
