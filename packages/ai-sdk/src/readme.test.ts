import { join } from "node:path";
import { testReadmeExamples } from "../../../tools/readme-examples.mjs";

await testReadmeExamples(join(import.meta.dirname, "..", "README.md"));
