/**
 * Turns the command line's config-related flags into a loaded configuration: `--config file`,
 * `--set key=value` (any setting), `--risk key=value` (risk limits) and the commands' own
 * shortcuts (e.g. `--seed` → engine.seed). Invalid settings stop with every problem listed.
 */
import { loadConfig, type BourseConfig } from '../infra/config.js';

export interface ConfigFlags {
  config?: string | undefined;
  set?: string[] | undefined;
  risk?: string[] | undefined;
}

/** Loads the effective config; `shortcuts` are extra `dotted.key=value` overrides from flags. */
export function configFromFlags(flags: ConfigFlags, shortcuts: Record<string, string | undefined> = {}): BourseConfig {
  const overrides: string[] = [];
  for (const [key, value] of Object.entries(shortcuts)) if (value !== undefined) overrides.push(`${key}=${value}`);
  overrides.push(...(flags.set ?? []));
  overrides.push(...(flags.risk ?? []).map((kv) => `risk.${kv}`));
  return loadConfig({ ...(flags.config ? { file: flags.config } : {}), overrides });
}
