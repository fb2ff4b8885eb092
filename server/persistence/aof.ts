// The append-only log's writer: records reach the file before the replies (and events) that
// depend on them go out, and are fsynced per appendfsync:
//   always    write + fdatasync before the reply: an acknowledged write survives a power loss
//   everysec  write before the reply, fdatasync once a second in the background: a process
//             crash loses nothing acknowledged, a power loss at most about a second
//   no        write before the reply, the OS decides when it reaches the disk
// A failed write is retried; until it succeeds, write commands are refused (MISCONF).

import fs from "node:fs";
import type { Logger } from "../observability/logger.js";
import { RecordWriter } from "./aof-format.js";
import type { RecordSink } from "./journal.js";

export type FsyncPolicy = "always" | "everysec" | "no";

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

export class AppendOnlyLog implements RecordSink {
  readonly records = new RecordWriter();
  /** Bytes in the file. */
  size: number;
  /** Size right after the last rewrite: growth past it triggers the next. */
  baseSize: number;
  /** The last write or fsync error, until a write succeeds again. */
  error: Error | null = null;
  /** Bytes of records kept for a rewrite's new file (records after its snapshot point). */
  private tail: Buffer[] | null = null;
  private retry: Buffer | null = null;
  private flushQueued = false;
  private unsynced = false;
  private syncing = false;
  private closed = false;
  /** Written under appendfsync always but not fsynced yet: the next reply waits for it. */
  private syncBeforeReply = false;
  private afterSync: (() => void) | null = null;
  private readonly timer: NodeJS.Timeout;
  /** Called after each successful write (automatic rewrite checks). */
  onWrite: (() => void) | null = null;
  /** Called when a write fails or recovers (null). */
  onError: ((err: Error | null) => void) | null = null;

  constructor(
    readonly path: string,
    private fd: number,
    size: number,
    public fsync: FsyncPolicy,
    private readonly logger: Logger,
  ) {
    this.size = size;
    this.baseSize = size;
    this.timer = setInterval(() => this.syncInBackground(), 1000);
    this.timer.unref();
  }

  /**
   * A record was encoded: written now when urgent (a watcher is about to hear of it; the fsync
   * that appendfsync always asks for still waits for the reply), else before the next reply or turn.
   */
  added(urgent: boolean): void {
    if (urgent) this.flush(false);
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  /** False while the log lives in memory, until its first rewrite puts a file in place. */
  get hasFile(): boolean {
    return this.fd >= 0;
  }

  /** True when records are waiting to be written, or (appendfsync always) to be fsynced. */
  get pending(): boolean {
    return this.records.length > 0 || this.retry !== null || this.syncBeforeReply;
  }

  /** Writes what is pending and, under appendfsync always, fsyncs it (unless `sync` is false). */
  flush(sync = true): void {
    if (this.closed) return;
    if (this.records.length === 0 && this.retry === null) {
      if (sync && this.syncBeforeReply) this.syncNow();
      return;
    }
    let buf = this.records.length > 0 ? this.records.take() : Buffer.alloc(0);
    if (this.retry !== null) {
      buf = Buffer.concat([this.retry, buf]);
      this.retry = null;
    }
    if (this.tail !== null) this.tail.push(buf);
    // No file yet (appendonly just turned on): only a rewrite's tail keeps records.
    if (this.fd < 0) return;
    try {
      writeAll(this.fd, buf);
    } catch (e) {
      // Cut what part of the records reached the file, so the log never holds half a record
      // followed by whole ones; keep them to write again.
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // the next successful write will tell
      }
      if (this.tail !== null) this.tail.pop();
      this.retry = buf;
      this.failed(e as Error, "cannot write the append-only file: write commands are refused until it works again");
      return;
    }
    this.size += buf.length;
    let synced = true;
    if (this.fsync !== "always") this.unsynced = true;
    else if (sync) synced = this.syncNow();
    else this.syncBeforeReply = true;
    if (this.error !== null && synced) {
      this.error = null;
      this.logger.warn({ file: this.path }, "append-only file writes work again");
      this.onError?.(null);
    }
    this.onWrite?.();
  }

  private failed(err: Error, msg: string): void {
    const first = this.error === null;
    this.error = err;
    if (first) this.logger.error({ file: this.path, err }, msg);
    this.onError?.(err);
  }

  private syncNow(): boolean {
    this.syncBeforeReply = false;
    if (this.fd < 0) return true;
    try {
      fs.fdatasyncSync(this.fd);
      return true;
    } catch (e) {
      // appendfsync always promised durability: refuse writes until an fsync works again.
      this.failed(e as Error, "fsync of the append-only file failed: write commands are refused until it works again");
      return false;
    }
  }

  private syncInBackground(): void {
    if (this.fsync !== "everysec" || !this.unsynced || this.syncing || this.closed || this.fd < 0) return;
    this.unsynced = false;
    this.syncing = true;
    const fd = this.fd;
    fs.fdatasync(fd, (err) => {
      this.syncing = false;
      if (err && !this.closed) {
        this.unsynced = true;
        this.logger.error({ file: this.path, err }, "fsync of the append-only file failed");
      }
      this.afterSync?.();
    });
  }

  /** Waits for a background fsync in flight (before its fd is closed). */
  private idle(): Promise<void> {
    if (!this.syncing) return Promise.resolve();
    return new Promise((resolve) => {
      this.afterSync = () => {
        this.afterSync = null;
        resolve();
      };
    });
  }

  /** Writes and fsyncs everything now (shutdown, SAVE-like guarantees). */
  flushAndSync(): void {
    this.flush();
    if (this.closed || this.fd < 0) return;
    try {
      fs.fdatasyncSync(this.fd);
      this.unsynced = false;
      this.syncBeforeReply = false;
    } catch (e) {
      this.logger.error({ file: this.path, err: e }, "fsync of the append-only file failed");
    }
  }

  /** From now on records are also kept for a rewrite's new file. */
  beginTail(): void {
    this.flush();
    this.tail = [];
  }

  /** The records kept since beginTail, and stop keeping them. */
  takeTail(): Buffer {
    this.flush();
    const tail = this.tail === null ? Buffer.alloc(0) : Buffer.concat(this.tail);
    this.tail = null;
    return tail;
  }

  /** A rewrite failed: stop keeping records for it. */
  dropTail(): void {
    this.tail = null;
  }

  /** Continues in the rewritten file (already renamed into place). */
  switchTo(fd: number, size: number): void {
    const old = this.fd;
    this.fd = fd;
    this.size = size;
    this.baseSize = size;
    this.unsynced = false;
    if (old >= 0) void this.idle().then(() => fs.close(old, () => {}));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushAndSync();
    this.closed = true;
    clearInterval(this.timer);
    await this.idle();
    if (this.fd >= 0) fs.closeSync(this.fd);
  }
}
