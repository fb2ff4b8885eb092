// Types of scripts/import-graph.mjs, for test/imports.test.ts.
export type Graph = Map<string, string[]>;
export interface LayerViolation {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}
export const LAYERS: [string, RegExp][];
export function valueImportsOf(text: string): string[];
export function importGraph(): Graph;
export function cycles(graph: Graph): string[][];
export function layerOf(path: string): number;
export function layerViolations(graph: Graph): LayerViolation[];
