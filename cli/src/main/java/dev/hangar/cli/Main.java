package dev.hangar.cli; public final class Main { public static void main(String[] a) {} }
