// Persistence for one server: loading at start, snapshots (SAVE, BGSAVE, `save` rules, at
// shutdown), the append-only log (its writer, BGREWRITEAOF and automatic rewrites), the
// MISCONF refusal while the disk fails, and what INFO persistence reports.
//
// Only one background job (BGSAVE or a log rewrite) runs at a time; a request meanwhile is
// scheduled for when it ends, as Redis does with its single child process.

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { configOf } from "../config.js";
import { CommandError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { ServerState } from "../state.js";
import { aofHeader } from "./aof-format.js";
import { AppendOnlyLog, type FsyncPolicy } from "./aof.js";
import { AtomicFileWriter, fsyncDir } from "./files.js";
import { Journal } from "./journal.js";
import { loadAof, loadSnapshot, restoreHistory, RecoveryError } from "./recovery.js";
import {
  AOF_LOAD_TRUNCATED,
  APPENDFILENAME,
  APPENDFSYNC,
  APPENDONLY,
  AUTO_AOF_REWRITE_MIN_SIZE,
  AUTO_AOF_REWRITE_PERCENTAGE,
  DBFILENAME,
  DIR,
  SAVE,
  STOP_WRITES_ON_BGSAVE_ERROR,
} from "./settings.js";
import { SnapshotJob } from "./snapshotter.js";
import type { SnapshotMeta } from "./format.js";

export { RecoveryError };

/** Work per turn of a background save before other clients get their turn. */
const STEP_MS = 4;
/** Encoded bytes waiting for the disk before the save pauses for it. */
const MAX_BACKLOG = 16 * 1024 * 1024;
/** After a failed background save, wait this long before the rules try again (Redis's 5 s). */
const RETRY_AFTER_MS = 5000;
const CRON_MS = 100;
/** Written at start, removed by a clean shutdown that saved everything. */
export const RUN_MARKER = "keycast.running";

export const BGSAVE_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export interface PersistenceOptions {
  /** Truncate a damaged append-only file at its first bad record instead of refusing to start. */
  repairAof?: boolean;
}

type JobKind = "save" | "rewrite";

class Aborted extends Error {}

export class Persistence {
  loading = false;
  /** Last successful save (or the start), ms since the epoch. */
  lastSaveAt: number;
  /** Writes since the last successful save. */
  changes = 0;
  saves = 0;
  lastBgsaveOk = true;
  lastBgsaveMs = -1;
  lastRewriteOk = true;
  lastRewriteMs = -1;
  rewrites = 0;
  job: { kind: JobKind; startedAt: number; keys: () => number } | null = null;
  saveScheduled = false;
  rewriteScheduled = false;
  aof: AppendOnlyLog | null = null;
  /** How the data came back at start. */
  loadedFrom: "aof" | "snapshot" | "none" = "none";
  loadedKeys = 0;
  private lastBgsaveTry = 0;
  private aborting = false;
  private cron: NodeJS.Timeout | null = null;
  private marker: string | null = null;
  private closed = false;
  private uncleanBefore = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly state: ServerState,
    private readonly logger: Logger,
    private readonly options: PersistenceOptions = {},
  ) {
    this.lastSaveAt = state.startedAt;
  }

  private get config() {
    return configOf(this.state);
  }

  get dir(): string {
    return this.config.get(DIR) === "." ? path.resolve(".") : this.config.get(DIR);
  }

  get snapshotPath(): string {
    return path.join(this.dir, this.config.get(DBFILENAME));
  }

  get aofPath(): string {
    return path.join(this.dir, this.config.get(APPENDFILENAME));
  }

  /** Loads what was persisted, then starts logging and the save rules. Throws RecoveryError to refuse the start. */
  open(): void {
    const state = this.state;
    const config = this.config;
    const appendonly = config.get(APPENDONLY);
    const markerPath = path.join(this.dir, RUN_MARKER);
    const uncleanBefore = fs.existsSync(markerPath);
    this.uncleanBefore = uncleanBefore;
    this.removeStaleTemps();
    this.loading = true;
    const started = Date.now();
    // No eviction while the log replays: it must do exactly what the original commands did.
    const guard = state.memory;
    state.memory = null;
    try {
      if (appendonly && fs.existsSync(this.aofPath)) {
        const r = loadAof(state, this.aofPath, { loadTruncated: config.get(AOF_LOAD_TRUNCATED), repair: this.options.repairAof === true, logger: this.logger });
        this.loadedFrom = "aof";
        this.loadedKeys = r.keys;
        // Positions the replay could not rebuild must not be trusted: a new epoch makes watchers resync.
        if (!r.historyExact) this.freshEpoch();
        this.logger.info({ file: this.aofPath, keys: r.keys, records: r.records, ms: Date.now() - started, epoch: state.history.epoch, offset: state.history.offset }, "loaded the append-only file");
        this.openAof(r.size, r.baseSize);
      } else {
        // Persistence is opt-in: a snapshot lying in the working directory of a server that
        // was told nothing about persistence is not someone's data to load.
        const optedIn = appendonly || config.get(SAVE).length > 0 || state.config.has(DIR.name) || state.config.has(DBFILENAME.name);
        if (fs.existsSync(this.snapshotPath) && !optedIn) {
          this.logger.info({ file: this.snapshotPath }, "a snapshot exists but persistence is not configured (no save rules, dir or dbfilename): not loaded");
        } else if (fs.existsSync(this.snapshotPath)) {
          const r = loadSnapshot(state, this.snapshotPath);
          this.loadedFrom = "snapshot";
          this.loadedKeys = r.keys;
          // Without a log, the snapshot holds everything only if the last run saved it on a
          // clean shutdown; otherwise events after it were seen and lost: positions must not be reused.
          restoreHistory(state, r, !uncleanBefore);
          if (r.meta !== null) this.lastSaveAt = r.meta.at;
          this.logger.info(
            { file: this.snapshotPath, keys: r.keys, ms: Date.now() - started, resumable: !uncleanBefore, epoch: state.history.epoch, offset: state.history.offset },
            uncleanBefore ? "loaded the snapshot (the last run did not stop cleanly: watchers resync)" : "loaded the snapshot",
          );
        }
        if (appendonly) this.createAofNow();
      }
    } finally {
      this.loading = false;
      state.memory = guard;
      guard?.invalidate();
    }
    if (appendonly || config.get(SAVE).length > 0 || this.loadedFrom !== "none") this.ensureMarker();
    const ks = state.keyspace;
    this.unsubscribe.push(
      ks.onKeyEvent((_db, event) => {
        if (event !== "new") this.changes++;
      }),
      ks.onFlush(() => void this.changes++),
    );
    this.cron = setInterval(() => this.tick(), CRON_MS);
    this.cron.unref();
    state.persistence = this;
  }

  /**
   * Marks this run as running, so that the next start knows whether it stopped cleanly: needed
   * as soon as anything may be loaded later (a file exists, or persistence is on).
   */
  private ensureMarker(): void {
    if (this.marker !== null) return;
    const markerPath = path.join(this.dir, RUN_MARKER);
    try {
      fs.writeFileSync(markerPath, `${process.pid}\n`);
      fsyncDir(this.dir);
      this.marker = markerPath;
    } catch (e) {
      this.logger.warn({ file: markerPath, err: e }, "cannot write the run marker: after a restart watchers will resync");
    }
  }

  /** Temporary files of saves and rewrites that a dead process left behind (they are never complete). */
  private removeStaleTemps(): void {
    const names = [this.config.get(DBFILENAME), this.config.get(APPENDFILENAME)];
    let entries: string[];
    try {
      entries = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const f of entries) {
      const m = /^temp-(\d+)-\d+-(.+)$/.exec(f);
      if (m === null || !names.includes(m[2]!) || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      fs.rmSync(path.join(this.dir, f), { force: true });
      this.logger.info({ file: f }, "removed the temporary file of an interrupted save");
    }
  }

  private freshEpoch(): void {
    (this.state.history as { epoch: string }).epoch = randomBytes(6).toString("hex");
  }

  // ---- the append-only log ----

  /** Starts logging to an existing log file of `size` bytes. */
  private openAof(size: number, baseSize: number): void {
    const fd = fs.openSync(this.aofPath, "a");
    this.attachLog(new AppendOnlyLog(this.aofPath, fd, size, this.config.get(APPENDFSYNC), this.logger));
    this.aof!.baseSize = baseSize;
  }

  private attachLog(log: AppendOnlyLog): void {
    this.aof = log;
    log.onWrite = () => this.maybeAutoRewrite();
    log.onError = () => this.refreshRefusal();
    this.state.aof = log;
    this.state.journal = new Journal(this.state, log);
  }

  /** Creates the log from the current keyspace, synchronously (at start, before serving). */
  private createAofNow(): void {
    const writer = new AtomicFileWriter(this.aofPath);
    try {
      writer.writeSync(aofHeader());
      const job = new SnapshotJob(this.state, (chunk) => writer.writeSync(chunk));
      while (!job.step(Infinity));
      job.finish();
      writer.commitSync(true);
    } catch (e) {
      writer.abandon();
      throw e;
    }
    this.openAof(writer.size, writer.size);
    this.logger.info({ file: this.aofPath, bytes: writer.size }, "created the append-only file");
  }

  appendOnlyChanged(on: boolean): void {
    if (on && this.aof === null) {
      // Log into memory until the first rewrite puts a file in place (as Redis: writes are
      // durable once that rewrite is done).
      this.attachLog(new AppendOnlyLog(this.aofPath, -1, 0, this.config.get(APPENDFSYNC), this.logger));
      this.ensureMarker();
      this.rewriteScheduled = true;
      this.tick();
    } else if (!on && this.aof !== null) {
      const log = this.aof;
      this.aof = null;
      this.state.aof = null;
      this.state.journal = null;
      if (this.job?.kind === "rewrite") this.aborting = true;
      this.rewriteScheduled = false;
      void log.close();
      this.refreshRefusal();
    }
  }

  fsyncChanged(policy: FsyncPolicy): void {
    if (this.aof !== null) this.aof.fsync = policy;
  }

  private maybeAutoRewrite(): void {
    const log = this.aof;
    if (log === null || this.job !== null || this.rewriteScheduled) return;
    const pct = this.config.get(AUTO_AOF_REWRITE_PERCENTAGE);
    if (pct === 0 || log.size < this.config.get(AUTO_AOF_REWRITE_MIN_SIZE)) return;
    const base = Math.max(1, log.baseSize);
    if (((log.size - base) * 100) / base >= pct) {
      this.logger.info({ size: log.size, base: log.baseSize, percentage: pct }, "starting an automatic rewrite of the append-only file");
      this.rewriteScheduled = true;
    }
  }

  /** BGREWRITEAOF: returns the status line, or throws the error text. */
  requestRewrite(): string {
    if (this.job?.kind === "rewrite") throw new CommandError("ERR Background append only file rewriting already in progress");
    if (this.job !== null) {
      this.rewriteScheduled = true;
      return "Background append only file rewriting scheduled";
    }
    void this.rewrite();
    return "Background append only file rewriting started";
  }

  private async rewrite(): Promise<void> {
    this.rewriteScheduled = false;
    const started = Date.now();
    const memoryOnly = this.aof !== null && !this.aof.hasFile;
    const writer = new AtomicFileWriter(this.aofPath);
    try {
      writer.write(aofHeader());
      // The snapshot's moment: records from then on belong to the new file.
      await this.runSnapshot("rewrite", writer, () => this.aof?.beginTail());
      await writer.syncData();
      if (this.aborting) throw new Aborted();
      const log = this.aof;
      // With appendonly off (BGREWRITEAOF anyway), the file is written and nothing continues it.
      if (log !== null) writer.writeSync(log.takeTail());
      writer.commitSync(true);
      log?.switchTo(fs.openSync(this.aofPath, "a"), writer.size);
      this.lastRewriteOk = true;
      this.rewrites++;
      this.logger.info({ file: this.aofPath, bytes: writer.size, ms: Date.now() - started }, "rewrote the append-only file");
    } catch (e) {
      writer.abandon();
      this.aof?.dropTail();
      if (!(e instanceof Aborted)) {
        this.lastRewriteOk = false;
        this.logger.error({ file: this.aofPath, err: e, memoryOnly }, "rewriting the append-only file failed");
        // A log that has no file yet keeps trying: writes are not durable until it has one.
        if (memoryOnly && this.aof !== null) setTimeout(() => (this.rewriteScheduled = true), RETRY_AFTER_MS).unref();
      }
    } finally {
      this.lastRewriteMs = Date.now() - started;
      this.endJob();
    }
  }

  // ---- snapshots ----

  /**
   * Runs a snapshot into `writer` across event-loop turns; `atEnd` runs in the same
   * synchronous step as the snapshot's last part.
   */
  private async runSnapshot(kind: JobKind, writer: AtomicFileWriter, atEnd: () => void): Promise<SnapshotMeta> {
    const job = new SnapshotJob(this.state, (chunk) => writer.write(chunk));
    this.aborting = false;
    this.job = { kind, startedAt: Date.now(), keys: () => job.written };
    try {
      for (;;) {
        if (this.aborting) throw new Aborted();
        if (writer.backlog > MAX_BACKLOG) await writer.drain();
        if (this.aborting) throw new Aborted();
        if (job.step(STEP_MS)) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const meta = job.finish();
      atEnd();
      return meta;
    } finally {
      job.stop();
    }
  }

  private endJob(): void {
    this.job = null;
    this.aborting = false;
    if (!this.closed) this.tick();
  }

  /** BGSAVE: returns the status line, or throws the error text. */
  requestBgsave(schedule: boolean): string {
    if (this.job?.kind === "save") throw new CommandError("ERR Background save already in progress");
    if (this.job !== null) {
      if (!schedule) throw new CommandError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
      this.saveScheduled = true;
      return "Background saving scheduled";
    }
    void this.bgsave();
    return "Background saving started";
  }

  private async bgsave(): Promise<void> {
    this.saveScheduled = false;
    this.lastBgsaveTry = Date.now();
    const started = Date.now();
    let writer: AtomicFileWriter | null = null;
    let changesAtSnapshot = 0;
    try {
      writer = new AtomicFileWriter(this.snapshotPath);
      const w = writer;
      const meta = await this.runSnapshot("save", w, () => void (changesAtSnapshot = this.changes));
      await w.syncData();
      w.commitSync(false);
      this.changes -= changesAtSnapshot;
      this.lastSaveAt = meta.at;
      this.ensureMarker();
      this.saves++;
      this.lastBgsaveOk = true;
      this.logger.info({ file: this.snapshotPath, keys: meta.keys, bytes: w.size, ms: Date.now() - started }, "background save done");
    } catch (e) {
      writer?.abandon();
      if (!(e instanceof Aborted)) {
        this.lastBgsaveOk = false;
        this.logger.error({ file: this.snapshotPath, err: e }, "background save failed");
      }
    } finally {
      this.lastBgsaveMs = Date.now() - started;
      this.refreshRefusal();
      this.endJob();
    }
  }

  /** SAVE: a snapshot written synchronously. Throws on failure (the caller answers the error). */
  saveNow(): void {
    if (this.job?.kind === "save") throw new CommandError("ERR Background save already in progress");
    const writer = new AtomicFileWriter(this.snapshotPath);
    try {
      const job = new SnapshotJob(this.state, (chunk) => writer.writeSync(chunk));
      while (!job.step(Infinity));
      const meta = job.finish();
      writer.commitSync(true);
      this.changes = 0;
      this.lastSaveAt = meta.at;
      this.ensureMarker();
      this.saves++;
      this.lastBgsaveOk = true;
      this.refreshRefusal();
      this.logger.info({ file: this.snapshotPath, keys: meta.keys, bytes: writer.size }, "saved the snapshot");
    } catch (e) {
      writer.abandon();
      this.logger.error({ file: this.snapshotPath, err: e }, "saving the snapshot failed");
      throw e;
    }
  }

  // ---- the clock: save rules and scheduled jobs ----

  private tick(): void {
    if (this.closed || this.job !== null) return;
    if (this.rewriteScheduled) {
      void this.rewrite();
      return;
    }
    if (this.saveScheduled) {
      void this.bgsave();
      return;
    }
    const now = Date.now();
    if (!this.lastBgsaveOk && now - this.lastBgsaveTry < RETRY_AFTER_MS) return;
    for (const rule of this.config.get(SAVE)) {
      if (this.changes >= rule.changes && now - this.lastSaveAt >= rule.seconds * 1000) {
        this.logger.info({ changes: this.changes, seconds: rule.seconds }, `${rule.changes} changes in ${rule.seconds} seconds: saving`);
        void this.bgsave();
        return;
      }
    }
  }

  /** Sets or clears the MISCONF refusal of write commands. */
  refreshRefusal(): void {
    const aofError = this.aof?.error;
    if (aofError) this.state.writeRefusal = `MISCONF Errors writing to the AOF file: ${aofError.message}`;
    else if (!this.lastBgsaveOk && this.config.get(STOP_WRITES_ON_BGSAVE_ERROR) && this.config.get(SAVE).length > 0) {
      this.state.writeRefusal = BGSAVE_MISCONF;
    } else this.state.writeRefusal = null;
  }

  // ---- shutdown ----

  /**
   * Flushes the log and, when asked (or when save rules are set and not `nosave`), writes a
   * final snapshot. Throws when that snapshot cannot be written (SHUTDOWN reports it).
   */
  shutdown(mode: "default" | "save" | "nosave"): void {
    if (this.job !== null) {
      this.logger.info({ kind: this.job.kind }, "abandoning the background job in progress for the shutdown");
      this.aborting = true;
    }
    let persisted = false;
    if (this.aof !== null) {
      this.aof.flushAndSync();
      persisted = this.aof.error === null && this.aof.size > 0;
    }
    if (mode === "save" || (mode === "default" && this.config.get(SAVE).length > 0)) {
      this.saveNow();
      persisted = true;
    }
    if (persisted && this.marker !== null) {
      fs.rmSync(this.marker, { force: true });
      fsyncDir(this.dir);
      this.marker = null;
    }
  }

  /** The server could not start after all (a port in use): as if this run never happened. */
  async cancelStart(): Promise<void> {
    if (this.marker !== null && !this.uncleanBefore) {
      this.aof?.flushAndSync();
      fs.rmSync(this.marker, { force: true });
      this.marker = null;
    }
    await this.close();
  }

  /** Stops timers and closes the log (after shutdown(), or when the server stops without one). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.aborting = true;
    if (this.cron) clearInterval(this.cron);
    for (const u of this.unsubscribe) u();
    const log = this.aof;
    this.aof = null;
    this.state.aof = null;
    this.state.journal = null;
    if (log !== null) await log.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
