// Minimal binary-safe RESP2 client for the local Upstash bridge.
//
// One TCP connection, commands pipelined: each send() writes its whole batch in a
// single socket write, so a MULTI..EXEC batch can never interleave with another
// caller's commands, and replies are matched to batches in FIFO order.
// Bulk strings come back as Buffers (exact bytes), simple strings as JS strings,
// so callers can tell "+OK" from a bulk "OK". Redis error replies are values
// (RespError), not exceptions: send() only rejects when the connection itself fails.
import net from 'node:net';

export class RespError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export type RespValue = string | Buffer | number | null | RespError | RespValue[];
export type RespArg = string | Buffer;

/** Thrown by send() when redis cannot be reached or the connection dies mid-flight. */
export class RespConnectionError extends Error {
  override name = 'RespConnectionError';
}

export interface RespClientOptions {
  host?: string;
  port: number;
  /** Fail a connect attempt after this long (a blackholed host must not hang callers). */
  connectTimeoutMs?: number;
  /** Drop the connection if replies are pending and none has arrived for this long. */
  replyTimeoutMs?: number;
}

interface Batch {
  count: number;
  replies: RespValue[];
  resolve: (replies: RespValue[]) => void;
  reject: (err: Error) => void;
}

const CRLF = Buffer.from('\r\n');
/** `need`: buffer length required before parsing can make progress (for big bulk strings). */
type Parsed = { value: RespValue; next: number } | { need: number };

/** Parse one reply starting at pos, or report how many bytes are still missing. */
export function parseReply(buf: Buffer, pos: number): Parsed {
  const eol = buf.indexOf(CRLF, pos);
  if (eol === -1) return { need: buf.length + 1 };
  const line = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (buf[pos]) {
    case 0x2b: // '+'
      return { value: line, next: after };
    case 0x2d: // '-'
      return { value: new RespError(line), next: after };
    case 0x3a: // ':'
      // Integers beyond 2^53 lose precision, as they would in the client's JSON.parse anyway.
      return { value: Number(line), next: after };
    case 0x24: {
      // '$'
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return { need: after + len + 2 };
      return { value: buf.subarray(after, after + len), next: after + len + 2 };
    }
    case 0x2a: {
      // '*'
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if ('need' in item) return item;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`RESP protocol error: unexpected byte 0x${(buf[pos] ?? 0).toString(16)}`);
  }
}

export function encodeCommand(args: RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly replyTimeoutMs: number;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private pending: Batch[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  // Chunks received since the last parse attempt; concatenated only once `need` bytes are
  // there, so a multi-megabyte reply is copied once instead of once per TCP chunk.
  private chunks: Buffer[] = [];
  private received = 0;
  private need = 0;
  private replyTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(options: RespClientOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 800;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 1000;
  }

  /** Send a batch of commands; resolves with one reply per command, in order. */
  async send(commands: RespArg[][]): Promise<RespValue[]> {
    if (commands.length === 0) return [];
    const socket = await this.connect();
    // The socket may have died between connect() resolving and now; queueing on it would
    // pair this batch with the *next* connection's replies.
    if (socket !== this.socket) throw new RespConnectionError('connection lost');
    return new Promise((resolve, reject) => {
      this.pending.push({ count: commands.length, replies: [], resolve, reject });
      socket.write(Buffer.concat(commands.map(encodeCommand)));
      this.armReplyTimer();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new RespConnectionError('client closed'));
  }

  // Lazily (re)connect: there is no background loop, the next send() after redis comes
  // back simply opens a new socket. Concurrent callers share one attempt.
  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new RespConnectionError('client closed'));
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        if (this.closed) return socket.destroy(new Error('client closed')); // close() raced the connect
        socket.removeAllListeners('error');
        socket.setKeepAlive(true, 5000);
        this.attach(socket);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new RespConnectionError(err.message || String(err)));
      });
    }).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.resetBuffer();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new RespConnectionError(err.message), socket));
    // 'end' fires as soon as redis closes its side (shutdown/restart): stop using the
    // socket right away so the next send() reconnects instead of writing into a dead pipe.
    socket.on('end', () => this.fail(new RespConnectionError('connection closed by redis'), socket));
    socket.on('close', () => this.fail(new RespConnectionError('connection closed'), socket));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.received >= this.need) this.parseBuffered();
    this.armReplyTimer(true); // any bytes count as progress, e.g. a slow multi-MB reply
  }

  private parseBuffered(): void {
    this.buffer = Buffer.concat([this.buffer, ...this.chunks]);
    this.chunks = [];
    let pos = 0;
    this.need = 0;
    try {
      for (;;) {
        if (pos >= this.buffer.length) break;
        const parsed = parseReply(this.buffer, pos);
        if ('need' in parsed) {
          this.need = parsed.need - pos;
          break;
        }
        pos = parsed.next;
        this.deliver(parsed.value);
      }
    } catch (err) {
      this.fail(new RespConnectionError((err as Error).message));
      return;
    }
    this.buffer = this.buffer.subarray(pos);
    this.received = this.buffer.length;
  }

  private deliver(value: RespValue): void {
    const batch = this.pending[0];
    if (!batch) throw new Error('RESP protocol error: reply without a pending command');
    batch.replies.push(value);
    if (batch.replies.length === batch.count) {
      this.pending.shift();
      batch.resolve(batch.replies);
    }
  }

  // "No progress" watchdog: a redis that is stopped (SIGSTOP) or a dead peer keeps the
  // socket open, and callers must still get an answer rather than hang.
  private armReplyTimer(progressed = false): void {
    if (progressed && this.replyTimer) {
      clearTimeout(this.replyTimer);
      this.replyTimer = null;
    }
    if (this.pending.length === 0 || this.replyTimer) return;
    this.replyTimer = setTimeout(() => {
      this.replyTimer = null;
      if (this.pending.length > 0)
        this.fail(new RespConnectionError(`no reply from redis within ${this.replyTimeoutMs} ms`));
    }, this.replyTimeoutMs);
  }

  private resetBuffer(): void {
    this.buffer = Buffer.alloc(0);
    this.chunks = [];
    this.received = 0;
    this.need = 0;
  }

  /** Drop the current connection and reject everything in flight on it. */
  private fail(err: Error, from?: net.Socket): void {
    if (from && from !== this.socket) return; // late event from an already-dropped socket
    const socket = this.socket;
    this.socket = null;
    this.resetBuffer();
    if (this.replyTimer) clearTimeout(this.replyTimer);
    this.replyTimer = null;
    const pending = this.pending;
    this.pending = [];
    socket?.destroy();
    for (const batch of pending) batch.reject(err);
  }
}
