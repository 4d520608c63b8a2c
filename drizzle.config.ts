// drizzle-kit configuration: the schema in src/db/schema generates the SQL in migrations/.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: process.env.POLKU_MIGRATIONS_OUT ?? './migrations',
  casing: 'snake_case',
})
