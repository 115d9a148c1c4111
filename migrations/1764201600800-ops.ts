import type { MigrationInterface } from 'typeorm';
export class Ops1764201600800 implements MigrationInterface { name = 'Ops1764201600800'; async up(): Promise<void> {} async down(): Promise<void> {} }
