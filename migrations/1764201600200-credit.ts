import type { MigrationInterface } from 'typeorm';
export class Credit1764201600200 implements MigrationInterface { name = 'Credit1764201600200'; async up(): Promise<void> {} async down(): Promise<void> {} }
