import { ApiError, invalid } from '../api-error.js';
import { decodeGoBase64 } from './go-base64.js';
import type { EnumDef, FieldDef, MessageDef } from './schema.js';

/** A decoded message: only the fields that were set, by JSON name, values already normalized. */
export type Message = Record<string, unknown>;

function isMessageType(t: FieldDef['type']): t is () => MessageDef {
  return typeof t === 'function';
}

function isEnum(t: FieldDef['type']): t is EnumDef {
  return typeof t === 'object';
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value === 'boolean' ? 'bool' : typeof value;
}

function cannotUnmarshal(value: unknown, goType: string): Error {
  return invalid(`json: cannot unmarshal ${jsonTypeOf(value)} into Go value of type ${goType}`);
}

const GO_TYPES: Record<string, string> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  float: 'float32',
  bytes: '[]uint8',
  timestamp: 'string',
};

/** Go formats timestamps with 0, 3, 6 or 9 fractional digits, always in UTC. */
function normalizeTimestamp(value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) {
    throw invalid(
      `bad Timestamp: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.999999999Z07:00": cannot parse`,
    );
  }
  const fraction = (match[2] ?? '').padEnd(9, '0');
  const seconds = new Date(`${match[1]}${match[3]}`).toISOString().slice(0, 19);
  const trimmed = fraction === '000000000' ? '' : fraction.replace(/(000)+$/, '');
  return `${seconds}${trimmed ? `.${trimmed}` : ''}Z`;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A oneof message member sent as `null`: jsonpb sets the oneof to a nil message, which the gateway
 * then fails to marshal for gRPC. Marked while decoding, reported once the whole body is read.
 */
const NIL_ONEOF = Symbol('nil oneof member');

function holdsNilOneof(value: unknown): boolean {
  if (value === NIL_ONEOF) return true;
  if (Array.isArray(value)) return value.some(holdsNilOneof);
  return value !== null && typeof value === 'object' && Object.values(value).some(holdsNilOneof);
}

/** v0.1.0's answer to a request with a nil oneof member: 500, nothing stored. */
export function assertMarshalable(message: Message): void {
  if (holdsNilOneof(message))
    throw new ApiError(13, 'grpc: error while marshaling: proto: oneof field has nil value');
}

function decodeScalar(field: FieldDef, value: unknown): unknown {
  const t = field.type;
  if (isEnum(t)) {
    if (typeof value === 'number' && Number.isInteger(value)) return t.values[value] ?? value;
    if (typeof value !== 'string') throw cannotUnmarshal(value, 'int32');
    if (!t.values.includes(value))
      throw invalid(`unknown value ${JSON.stringify(value)} for enum ${t.fullName}`);
    return value;
  }
  switch (t) {
    case 'string':
    case 'timestamp':
      if (typeof value !== 'string') throw cannotUnmarshal(value, GO_TYPES[t]!);
      return t === 'timestamp' ? normalizeTimestamp(value) : value;
    case 'bool':
      if (typeof value !== 'boolean') throw cannotUnmarshal(value, 'bool');
      return value;
    case 'bytes':
      if (typeof value !== 'string') throw cannotUnmarshal(value, '[]uint8');
      return decodeGoBase64(value);
    default: {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) throw cannotUnmarshal(value, GO_TYPES[t as string]!);
      if (t === 'int32' && !Number.isInteger(n)) throw cannotUnmarshal(value, 'int32');
      if (t === 'float' && typeof value === 'number' && Math.abs(n) > FLOAT32_MAX)
        throw invalid(`json: cannot unmarshal number ${String(value)} into Go value of type float32`);
      return n;
    }
  }
}

function decodeField(field: FieldDef, value: unknown): unknown {
  if (field.repeated) {
    if (!Array.isArray(value)) throw cannotUnmarshal(value, '[]json.RawMessage');
    return value.map((item) => decodeSingle(field, item));
  }
  return decodeSingle(field, value);
}

function decodeSingle(field: FieldDef, value: unknown): unknown {
  return isMessageType(field.type) ? decodeMessage(field.type(), value) : decodeScalar(field, value);
}

/** proto-JSON decoding as grpc-gateway does it: unknown fields dropped, null is unset, Go's error texts. */
export function decodeMessage(def: MessageDef, json: unknown): Message {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw cannotUnmarshal(json, 'map[string]json.RawMessage');
  }
  const out: Message = {};
  const oneofs = new Map<string, string>();
  for (const field of def.fields) {
    const source = json as Record<string, unknown>;
    const value = source[field.name] !== undefined ? source[field.name] : source[snake(field.name)];
    if (value === null && field.oneof && isMessageType(field.type)) out[field.name] = NIL_ONEOF;
    if (value === undefined || value === null) continue;
    if (field.oneof) {
      const other = oneofs.get(field.oneof);
      if (other) throw invalid(`oneof field '${field.oneof}' is already set`);
      oneofs.set(field.oneof, field.name);
    }
    out[field.name] = decodeField(field, value);
  }
  return out;
}

function defaultOf(field: FieldDef): unknown {
  if (field.repeated) return [];
  const t = field.type;
  if (isMessageType(t) || t === 'timestamp') return null;
  if (isEnum(t)) return t.values[0];
  return t === 'bool' ? false : t === 'string' || t === 'bytes' ? '' : 0;
}

/** proto-JSON with every unset field emitted (jsonpb EmitDefaults): '', 0, false, [], null, enum zero. */
export function emitMessage(def: MessageDef, message: Message): Message {
  const out: Message = {};
  for (const field of def.fields) {
    const value = message[field.name];
    if (value === undefined) {
      if (!field.oneof) out[field.name] = defaultOf(field);
      continue;
    }
    const t = field.type;
    const emitOne = (v: unknown) => (isMessageType(t) ? emitMessage(t(), v as Message) : v);
    out[field.name] = field.repeated ? (value as unknown[]).map(emitOne) : emitOne(value);
  }
  return out;
}

// ---- encoded size (protobuf wire format) --------------------------------------------------------

function varintSize(n: number): number {
  let size = 1;
  let rest = n;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

function lengthDelimited(fieldNo: number, length: number): number {
  return varintSize(fieldNo << 3) + varintSize(length) + length;
}

function timestampSize(value: string): number {
  const ms = Date.parse(value);
  const seconds = Math.floor(ms / 1000);
  const nanos = Number((/\.(\d+)Z$/.exec(value)?.[1] ?? '').padEnd(9, '0'));
  return (seconds ? 1 + varintSize(seconds) : 0) + (nanos ? 1 + varintSize(nanos) : 0);
}

function valueSize(field: FieldDef, value: unknown, packed: boolean): number {
  const t = field.type;
  const tag = packed ? 0 : varintSize(field.no << 3);
  if (isMessageType(t)) return lengthDelimited(field.no, encodedSize(t(), value as Message));
  if (t === 'timestamp') return lengthDelimited(field.no, timestampSize(value as string));
  if (t === 'string') return lengthDelimited(field.no, Buffer.byteLength(value as string));
  if (t === 'bytes') return lengthDelimited(field.no, Buffer.from(value as string, 'base64').length);
  if (t === 'float') return tag + 4;
  if (t === 'bool') return tag + 1;
  const n = isEnum(t) ? Math.max(0, t.values.indexOf(value as string)) : (value as number);
  return tag + (n < 0 ? 10 : varintSize(n));
}

function isDefault(field: FieldDef, value: unknown): boolean {
  if (isMessageType(field.type) || field.oneof) return false;
  const t = field.type;
  return value === '' || value === 0 || value === false || (isEnum(t) && value === t.values[0]);
}

/** Bytes of the message in protobuf encoding: what gRPC compares with its 4 MiB receive limit. */
export function encodedSize(def: MessageDef, message: Message): number {
  let size = 0;
  for (const field of def.fields) {
    const value = message[field.name];
    if (value === undefined) continue;
    if (!field.repeated) {
      if (!isDefault(field, value)) size += valueSize(field, value, false);
      continue;
    }
    const items = value as unknown[];
    const t = field.type;
    const packable = !isMessageType(t) && t !== 'string' && t !== 'bytes' && t !== 'timestamp';
    if (packable && items.length > 0) {
      const body = items.reduce<number>((sum, v) => sum + valueSize(field, v, true), 0);
      size += lengthDelimited(field.no, body);
    } else {
      for (const item of items) size += valueSize(field, item, false);
    }
  }
  return size;
}
