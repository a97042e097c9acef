// src/functions/root.ts requires the composition root on first use with Node's require (as the bundle and the
// tsc build do). Under vitest that require meets TypeScript sources: tsx's CommonJS hook lets it load them.
import { register } from "tsx/cjs/api";

register();
