import type { MigrationInterface } from 'typeorm';
export class Supervision1764201600700 implements MigrationInterface { name = 'Supervision1764201600700'; async up(): Promise<void> {} async down(): Promise<void> {} }
