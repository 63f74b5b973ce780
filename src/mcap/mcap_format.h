/* mcap_format — the MCAP wire constants shared by the writer, reader, recover and doctor
 * (https://mcap.dev/spec): magic, opcodes and fixed record sizes. Constants only. */
#ifndef MCAP_FORMAT_H
#define MCAP_FORMAT_H

#define MCAP_MAGIC "\x89MCAP0\r\n" /* at both ends of every file */
#define MCAP_MAGIC_LEN 8           /* bytes of MCAP_MAGIC */
#define MCAP_RECORD_HDR 9          /* opcode u8 + content length u64 */

enum mcap_opcode {
    MCAP_OP_HEADER = 0x01,           /* profile, library */
    MCAP_OP_FOOTER = 0x02,           /* summary_start, summary_offset_start, summary_crc */
    MCAP_OP_SCHEMA = 0x03,           /* id, name, encoding, data */
    MCAP_OP_CHANNEL = 0x04,          /* id, schema_id, topic, message_encoding, metadata */
    MCAP_OP_MESSAGE = 0x05,          /* channel_id, sequence, log_time, publish_time, data */
    MCAP_OP_CHUNK = 0x06,            /* times, sizes, crc, compression, records */
    MCAP_OP_MESSAGE_INDEX = 0x07,    /* channel_id, (log_time, offset)[] */
    MCAP_OP_CHUNK_INDEX = 0x08,      /* where a chunk and its message indexes are */
    MCAP_OP_ATTACHMENT = 0x09,       /* auxiliary blob with its own CRC */
    MCAP_OP_ATTACHMENT_INDEX = 0x0A, /* where an attachment is */
    MCAP_OP_STATISTICS = 0x0B,       /* counts and time range */
    MCAP_OP_METADATA = 0x0C,         /* name + string map */
    MCAP_OP_METADATA_INDEX = 0x0D,   /* where a metadata record is */
    MCAP_OP_SUMMARY_OFFSET = 0x0E,   /* where a summary group is */
    MCAP_OP_DATA_END = 0x0F,         /* data_section_crc */
};

#define MCAP_FOOTER_LEN 20      /* footer content: u64 + u64 + u32 */
#define MCAP_DATA_END_LEN 4     /* data end content: u32 */
#define MCAP_MESSAGE_FIXED 22   /* message content before data: u16 + u32 + u64 + u64 */
#define MCAP_TAIL_LEN (MCAP_RECORD_HDR + MCAP_FOOTER_LEN + MCAP_MAGIC_LEN) /* footer + magic */

#endif
