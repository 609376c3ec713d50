#!/usr/bin/env node
// Part of `npm run build`, after tsc: rewrites the SDK's JavaScript and source
// maps as the fast build writes them (compile-sources.mjs says why they must
// match). tsc's declarations for the SDK stay as they are.
import { compileSources, SDK_SOURCE_DIR, sources } from './compile-sources.mjs';

await compileSources(sources(SDK_SOURCE_DIR));
