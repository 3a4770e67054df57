// Eleventy 3 ships no type declarations; these cover the part of its API this project uses.
declare module "@11ty/eleventy/UserConfig" {
  export default interface UserConfig {
    addPlugin(plugin: unknown, options?: unknown): void;
    addFilter(name: string, filter: (...args: never[]) => unknown): void;
    addGlobalData(name: string, data: unknown): void;
    addWatchTarget(path: string): void;
    addPassthroughCopy(paths: Record<string, string>): void;
    readonly ignores: { add(glob: string): void };
    addExtension(extension: string, options: { key: string }): void;
    on(event: string, listener: (...args: never[]) => unknown): void;
    addPreprocessor(name: string, extensions: string, preprocess: (data: never, content: string) => unknown): void;
    setInputDirectory(dir: string): void;
    setIncludesDirectory(dir: string): void;
    setTemplateFormats(formats: string[]): void;
  }
}

declare module "@11ty/eleventy" {
  export interface EleventyOptions {
    /** false: no configuration file, only `config`. */
    configPath?: string | false;
    config?: (eleventyConfig: import("@11ty/eleventy/UserConfig").default) => void;
    quietMode?: boolean;
  }
  export const HtmlBasePlugin: unknown;
  export default class Eleventy {
    constructor(input?: string, output?: string, options?: EleventyOptions);
    setIsVerbose(verbose: boolean): void;
    disableLogger(): void;
    init(): Promise<void>;
    readonly bench: { getAll(): Record<string, { setIsVerbose(verbose: boolean): void }> };
    write(): Promise<unknown>;
  }
}

// @11ty/eleventy-img ships no type declarations either: the call the photo step makes.
declare module "@11ty/eleventy-img" {
  export default function Image(src: string, options: Record<string, unknown>): Promise<Record<string, { url: string; width: number; height: number }[]>>;
}

// Eleventy's dev server, which the dev server (cli/serve.ts) serves the build's output with.
declare module "@11ty/eleventy-dev-server" {
  export default class EleventyDevServer {
    static getServer(name: string, dir: string, options: Record<string, unknown>): EleventyDevServer;
    serve(port: number): void;
    /** Tell every open page to load again. */
    reload(): void;
    close(): Promise<void>;
  }
}
