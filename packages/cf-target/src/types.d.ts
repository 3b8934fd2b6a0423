declare module 'acorn-globals' {
  export default function detect(source: string, options?: object): { name: string; nodes: unknown[] }[];
}
