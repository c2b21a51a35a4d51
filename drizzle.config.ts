import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` needs no database; `npm run db:migrate` applies drizzle/ to DATABASE_URL (Neon in production).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/lib/storage/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
});
