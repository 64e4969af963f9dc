/** The {@code tessera} command: {@code run}, {@code demo}, {@code example}, {@code serve}, {@code bench}, {@code info}. */
package dev.tessera.cli;
