/**
 * The JSON report: a PerformanceSnapshot written as indented JSON (report.json of a backtest), and
 * read back for tools and tests. The snapshot is plain data, so the file round-trips exactly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ValueError } from '../core/errors.js';
import { SNAPSHOT_SCHEMA, type PerformanceSnapshot } from './snapshot.js';

/** Serializes a snapshot as the report's JSON text (two-space indent, trailing newline). */
export function renderJsonReport(snapshot: PerformanceSnapshot): string {
  return JSON.stringify(snapshot, null, 2) + '\n';
}

/** Writes the snapshot to `path`. Throws the file system's error when the file cannot be written. */
export function writeJsonReport(snapshot: PerformanceSnapshot, path: string): void {
  writeFileSync(path, renderJsonReport(snapshot));
}

/**
 * Reads a report written by writeJsonReport. Throws ValueError when the file is not JSON or not
 * a snapshot of this schema (the contents are otherwise trusted: the file is our own output).
 */
export function readJsonReport(path: string): PerformanceSnapshot {
  const text = readFileSync(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`report ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { schema?: unknown }).schema !== SNAPSHOT_SCHEMA) {
    throw new ValueError(`report ${path} is not a performance snapshot of schema ${SNAPSHOT_SCHEMA}`);
  }
  return parsed as PerformanceSnapshot;
}
