import type { MigrationInterface } from 'typeorm';
export class Audit1764201600500 implements MigrationInterface { name = 'Audit1764201600500'; async up(): Promise<void> {} async down(): Promise<void> {} }
